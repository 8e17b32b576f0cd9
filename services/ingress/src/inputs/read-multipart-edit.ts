import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { GatewayError, InvalidRequestError } from '@imagegate/core';
import busboy from 'busboy';
import { checkMask } from './check-mask.ts';
import {
  DEFAULT_MAX_INPUT_IMAGE_BYTES,
  type InputObjectStore,
  type StoredInputImage,
  storeInputImage,
} from './store-input-image.ts';

/** Fields whose value is JSON (object-valued extensions) rather than a plain string. */
const JSON_FIELDS = new Set(['metadata', 'providerOptions', 'fallbacks']);
/** Longest non-file field accepted (bytes). */
const MAX_FIELD_BYTES = 1024 * 1024;
const MAX_FIELDS = 100;

/** An edit's inputs as read from the request, its images already in the object store. */
export interface EditInputs {
  /** Every non-file field: strings, except the JSON-valued extensions, decoded. */
  fields: Record<string, unknown>;
  images: StoredInputImage[];
  mask?: StoredInputImage;
}

export interface ReadEditOptions {
  store: InputObjectStore;
  /** Inputs go under `jobs/<jobId>/inputs/`. */
  jobId: string;
  /** Most images accepted (count). */
  maxImages: number;
  /** Largest image accepted (bytes); default {@link DEFAULT_MAX_INPUT_IMAGE_BYTES}. */
  maxInputImageBytes?: number;
}

/** Where input `index` (or the mask) of a job is stored. */
export function inputKey(jobId: string, name: number | 'mask', ext: string): string {
  return `jobs/${jobId}/inputs/${name}.${ext}`;
}

function unknownFile(name: string): InvalidRequestError {
  return new InvalidRequestError(`Unknown file field '${name}'; use image, image[] or mask.`, {
    param: name,
    code: 'unknown_parameter',
  });
}

/** A body busboy could not parse (broken boundary, cut short). */
function malformed(error: unknown): InvalidRequestError {
  const reason = error instanceof Error ? error.message : String(error);
  return new InvalidRequestError(`The multipart body is malformed: ${reason}.`, { code: 'invalid_body' });
}

/**
 * Reads a `multipart/form-data` edit as a stream: each image part is size-checked, hashed,
 * sniffed and stored as it arrives (`jobs/<id>/inputs/<i>.<ext>`, `…/mask.png`), never held in
 * memory whole; the mask is checked against the first image (`checkMask`). On any refusal every
 * object already written is deleted and the 4xx names the part (`image[2]`, `mask`); the body is
 * then left unread, so the caller should answer with `Connection: close`.
 */
export async function readMultipartEdit(
  request: { headers: IncomingHttpHeaders; body: Readable },
  options: ReadEditOptions,
): Promise<EditInputs> {
  const maxBytes = options.maxInputImageBytes ?? DEFAULT_MAX_INPUT_IMAGE_BYTES;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: { fieldSize: MAX_FIELD_BYTES, fields: MAX_FIELDS, files: options.maxImages + 2 },
    });
  } catch {
    throw new InvalidRequestError('The body must be multipart/form-data with a boundary.', {
      code: 'invalid_content_type',
    });
  }
  const spoolDir = await mkdtemp(join(tmpdir(), 'imagegate-edit-'));
  const written: string[] = [];
  const parts: Promise<unknown>[] = [];
  const fields: Record<string, unknown> = {};
  const images: StoredInputImage[] = [];
  let mask: StoredInputImage | undefined;
  let imageCount = 0;
  let sawMask = false;
  let refusal: unknown;

  // Settles when busboy is done or, on a refusal, at once: the unread rest is never waited for.
  const reading = Promise.withResolvers<void>();
  /** File parts not yet read to their end. */
  const openFiles = new Set<Readable>();
  const refuse = (error: unknown) => {
    if (refusal !== undefined) return;
    refusal = error;
    request.body.unpipe(parser);
    reading.resolve();
  };
  /** The body stopped arriving (the client left, or its deadline destroyed it): the part being read never ends by itself. */
  const bodyLost = (error: unknown) => {
    refuse(error instanceof GatewayError ? error : malformed(error));
    for (const file of openFiles) file.destroy(new Error('the body stopped arriving'));
  };

  parser.on('file', (name, file) => {
    openFiles.add(file);
    file.on('close', () => openFiles.delete(file));
    if (refusal !== undefined) {
      file.resume();
      return;
    }
    let param: string;
    let keyFor: (ext: string) => string;
    let keep: (image: StoredInputImage) => void;
    if (name === 'image' || name === 'image[]') {
      const index = imageCount++;
      param = `image[${index}]`;
      if (index >= options.maxImages) {
        file.resume();
        refuse(new InvalidRequestError(`At most ${options.maxImages} images may be edited at once.`, { param }));
        return;
      }
      keyFor = (ext) => inputKey(options.jobId, index, ext);
      keep = (image) => {
        images[index] = image;
      };
    } else if (name === 'mask') {
      param = 'mask';
      if (sawMask) {
        file.resume();
        refuse(new InvalidRequestError('Only one mask may be sent.', { param }));
        return;
      }
      sawMask = true;
      keyFor = (ext) => inputKey(options.jobId, 'mask', ext);
      keep = (image) => {
        mask = image;
      };
    } else {
      file.resume();
      refuse(unknownFile(name));
      return;
    }
    parts.push(
      storeInputImage(file, {
        store: options.store,
        keyFor,
        param,
        maxBytes,
        spoolDir,
        onWrite: (key) => written.push(key),
        shouldWrite: () => refusal === undefined,
      }).then(
        (image) => {
          if (image !== undefined) keep(image);
        },
        (error: unknown) => refuse(error instanceof GatewayError ? error : malformed(error)),
      ),
    );
  });
  parser.on('field', (name, value, info) => {
    if (refusal !== undefined) return;
    if (info.valueTruncated) {
      refuse(new InvalidRequestError(`${name} is longer than ${MAX_FIELD_BYTES} bytes.`, { param: name }));
    } else if (/(^|\[)(__proto__|constructor|prototype)(\]|$)/.test(name)) {
      refuse(new InvalidRequestError(`'${name}' is not a field name.`, { param: name, code: 'unknown_parameter' }));
    } else if (name.endsWith('[]')) {
      // A list in the SDKs' form encoding (`fallbacks[]=a`, `fallbacks[]=b`): every value, in order.
      const list = fields[name];
      fields[name] = Array.isArray(list) ? [...list, value] : [value];
    } else if (Object.hasOwn(fields, name)) {
      refuse(new InvalidRequestError(`${name} is sent more than once.`, { param: name }));
    } else if (JSON_FIELDS.has(name)) {
      try {
        fields[name] = JSON.parse(value);
      } catch {
        refuse(new InvalidRequestError(`${name} must be JSON.`, { param: name, code: 'invalid_json' }));
      }
    } else {
      fields[name] = value;
    }
  });
  parser.on('filesLimit', () => {
    refuse(new InvalidRequestError(`At most ${options.maxImages} images may be edited at once.`, { param: 'image' }));
  });
  parser.on('fieldsLimit', () => refuse(new InvalidRequestError(`At most ${MAX_FIELDS} fields may be sent.`)));
  parser.on('error', (error) => {
    refuse(malformed(error));
  });
  parser.on('close', () => reading.resolve());
  request.body.on('error', bodyLost);
  request.body.on('aborted', () => bodyLost(new Error('the client went away')));
  request.body.pipe(parser);

  try {
    await reading.promise;
    await Promise.all(parts);
    if (refusal === undefined && images.length === 0) {
      refuse(
        new InvalidRequestError('An image to edit is required (field image or image[]).', {
          param: 'image',
          code: 'missing_required_parameter',
        }),
      );
    }
    const first = images[0];
    if (refusal === undefined && mask !== undefined && first !== undefined) {
      try {
        checkMask(mask, first);
      } catch (error) {
        refuse(error);
      }
    }
    if (refusal !== undefined) {
      await options.store.deleteObjects(written);
      throw refusal instanceof Error ? refusal : new Error(String(refusal));
    }
    return mask === undefined ? { fields, images } : { fields, images, mask };
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}
