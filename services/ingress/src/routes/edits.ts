import { type EditRequest, editRequestSchema, multipartFieldsAsBody } from '@imagegate/contracts';
import { InvalidRequestError, newId, StageTimer } from '@imagegate/core';
import type { Request, RequestHandler, Response } from 'express';
import { discardInputsUnlessRecorded } from '../inputs/discard-inputs.ts';
import { ownImageReader } from '../inputs/own-image.ts';
import { readJsonEditImages } from '../inputs/read-json-edit-images.ts';
import { type EditInputs, readMultipartEdit } from '../inputs/read-multipart-edit.ts';
import { type StoredInputImage, withMask } from '../inputs/store-input-image.ts';
import { callerOf } from '../middleware/authenticate.ts';
import { jsonBody } from '../middleware/json-body.ts';
import { streamImageJob } from '../streaming/stream-image-job.ts';
import { acceptEdit, type EditInputsToAccept } from '../submission/accept-edit.ts';
import type { SubmissionDeps } from '../submission/accept-job.ts';
import { answerAcceptance, answeringOf, readIdempotencyKey } from './submission-http.ts';

/** The path: mounted before the `/v1` JSON parser (with the small `MAX_BODY_BYTES`), which its bodies skip. */
export const EDITS_PATH = '/v1/images/edits';

/** An edit's inputs as read from either encoding, already stored under the job id. */
interface ReadEdit {
  body: EditRequest;
  inputs: EditInputsToAccept;
}

/**
 * `POST /v1/images/edits`, as multipart/form-data (what the OpenAI SDKs and the Vercel AI SDK send)
 * or JSON with `images: [{image_url}]`. The inputs are stored under the job's id before the job
 * exists (`jobs/<id>/inputs/…`); a request refused for any reason deletes them, and a replayed
 * `Idempotency-Key` deletes its copy. Then it is answered like a generation (sync, `Prefer`, 202).
 */
export function createEditHandlers(deps: SubmissionDeps): RequestHandler[] {
  // A JSON edit may carry one largest image as a data URL (4/3 of its bytes) beside the other fields.
  const jsonParser = jsonBody(Math.ceil((deps.settings.maxInputImageBytes * 4) / 3) + deps.settings.maxBodyBytes);
  const maxImages = Math.max(
    1,
    ...deps.catalog.models.map((model) =>
      model.capabilities.edits === false ? 0 : model.capabilities.edits.maxInputImages,
    ),
  );

  async function readEdit(request: Request, response: Response, jobId: string): Promise<ReadEdit> {
    const common = { store: deps.store, jobId, maxImages, maxInputImageBytes: deps.settings.maxInputImageBytes };
    if (request.is('multipart/form-data')) {
      let read: EditInputs;
      try {
        read = await readMultipartEdit({ headers: request.headers, body: request }, common);
      } catch (error) {
        // The rest of the body is left unread: this connection cannot carry another request.
        response.setHeader('connection', 'close');
        throw error;
      }
      const stored = withMask(read);
      try {
        for (const name of ['images', 'mask', 'image']) {
          if (Object.hasOwn(read.fields, name)) {
            throw new InvalidRequestError(`${name} must be sent as a file part, not a text field.`, { param: name });
          }
        }
        const body = editRequestSchema.parse(multipartFieldsAsBody(read.fields));
        return {
          body,
          inputs: { images: read.images, mask: read.mask, imageParam: (index) => `image[${index}]`, maskParam: 'mask' },
        };
      } catch (error) {
        await deps.store.deleteObjects(stored.map((image) => image.key));
        throw error;
      }
    }
    if (request.is(['application/json', 'application/*+json'])) {
      const raw: unknown = request.body ?? null;
      // The fields first: a bad field is refused before any image is fetched or stored.
      const body = editRequestSchema.parse(raw);
      const images = typeof raw === 'object' && raw !== null ? raw : {};
      const read = await readJsonEditImages(images, {
        ...common,
        urlPolicy: deps.webhookUrlPolicy,
        fetchTimeoutMs: deps.settings.imageFetchTimeoutMs,
        ownImage: ownImageReader(deps, callerOf(response).accountId),
      });
      return {
        body,
        inputs: {
          images: read.images,
          mask: read.mask,
          imageParam: (index) => `images[${index}].image_url`,
          maskParam: 'mask.image_url',
        },
      };
    }
    response.setHeader('connection', 'close');
    throw new InvalidRequestError(
      'Send the edit as multipart/form-data (image, image[], mask and text fields) or as JSON with images: [{ image_url }].',
      { code: 'invalid_content_type' },
    );
  }

  const handler = async (request: Request, response: Response): Promise<void> => {
    const stages = new StageTimer();
    const idempotencyKey = readIdempotencyKey(request);
    const jobId = newId('job');
    const { body, inputs } = await readEdit(request, response, jobId);
    stages.lap('inputs');
    const stored = storedKeysOf(inputs);
    const discardUnlessRecorded = () => discardInputsUnlessRecorded(deps, jobId, stored);
    let acceptance: Awaited<ReturnType<typeof acceptEdit>>;
    let answering: ReturnType<typeof answeringOf>;
    try {
      answering = answeringOf(request, response, deps, stages, body.stream === true);
      acceptance = await acceptEdit(
        deps,
        {
          jobId,
          accountId: callerOf(response).accountId,
          body,
          inputs,
          identity: identityOf(body, inputs),
          idempotencyKey,
        },
        answering.answering,
      );
    } catch (error) {
      await discardUnlessRecorded().catch(() => {});
      throw error;
    }
    if (acceptance.kind === 'client_gone' || acceptance.job.id !== jobId) await discardUnlessRecorded();
    if (acceptance.kind === 'client_gone') return;
    if (body.stream === true) await streamImageJob(deps, response, acceptance, 'image_edit');
    else await answerAcceptance(response, acceptance, answering.preferences, deps);
    stages.lap('answer');
    deps.logger.debug(
      { jobId: acceptance.job.id, status: acceptance.job.status, stagesMs: stages.laps },
      'edit request answered',
    );
  };
  return [...jsonParser, handler];
}

function storedKeysOf(inputs: EditInputsToAccept): string[] {
  return withMask(inputs).map((image) => image.key);
}

/**
 * What makes two edits the same request under one `Idempotency-Key`: the fields as understood and
 * each input's sha256, whichever encoding carried them (the same edit sent as multipart and as JSON
 * is one request).
 */
function identityOf(body: EditRequest, inputs: EditInputsToAccept): unknown {
  const fingerprint = (image: StoredInputImage) => image.sha256;
  return { ...body, images: inputs.images.map(fingerprint), mask: inputs.mask && fingerprint(inputs.mask) };
}
