import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

/** One file part, kept whole: the emulator decodes it with sharp anyway. */
export interface MultipartFile {
  /** The part's field name as sent (`image`, `image[]`, `mask` …). */
  field: string;
  filename: string;
  /** The part's declared type; only a hint, the bytes decide what the file is. */
  mimeType: string;
  bytes: Buffer;
}

/** A parsed `multipart/form-data` body: text parts in order per name, and file parts in order. */
export interface MultipartForm {
  fields: Map<string, string[]>;
  files: MultipartFile[];
}

/** Result of {@link readMultipart}. */
export type MultipartRead =
  | { ok: true; form: MultipartForm }
  | { ok: false; reason: 'too_large' | 'malformed' | 'aborted'; message: string };

/** Caps for {@link readMultipart}. */
export interface MultipartLimits {
  /** Bytes per file part. */
  fileBytes: number;
  /** File parts per request; one more is read so callers can report "too many". */
  files: number;
}

/**
 * Reads a `multipart/form-data` request with busboy. Files past `files` are drained, not kept, so a
 * request with too many images is still answered (the caller sees `files + 1` parts at most).
 */
export function readMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<MultipartRead> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: limits.fileBytes, files: limits.files + 1, fieldSize: 1024 * 1024 },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      resolve({ ok: false, reason: 'malformed', message });
      return;
    }
    const fields = new Map<string, string[]>();
    const files: MultipartFile[] = [];
    const pending: Promise<void>[] = [];
    let failure: MultipartRead | undefined;

    parser.on('field', (name, value) => {
      fields.set(name, [...(fields.get(name) ?? []), value]);
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      // Kept in arrival order; the bytes are filled in when the part ends.
      const file: MultipartFile = {
        field: name,
        filename: info.filename ?? '',
        mimeType: info.mimeType,
        bytes: Buffer.alloc(0),
      };
      files.push(file);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failure ??= { ok: false, reason: 'too_large', message: `File part '${name}' is too large.` };
      });
      pending.push(
        new Promise((done) => {
          stream.on('close', () => {
            file.bytes = Buffer.concat(chunks);
            done();
          });
        }),
      );
    });
    parser.on('error', (error) => {
      const message = error instanceof Error ? error.message : String(error);
      resolve({ ok: false, reason: 'malformed', message });
    });
    parser.on('close', () => {
      void Promise.all(pending).then(() => resolve(failure ?? { ok: true, form: { fields, files } }));
    });
    req.on('aborted', () => resolve({ ok: false, reason: 'aborted', message: 'client went away' }));
    req.pipe(parser);
  });
}
