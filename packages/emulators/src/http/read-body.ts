import type { IncomingMessage } from 'node:http';

/** Result of reading a request body with a size cap. */
export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * Collects a request body, refusing more than `maxBytes`. On overflow the rest is discarded
 * (not buffered) so an oversized upload cannot exhaust memory.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) resolve({ ok: false, reason: 'too_large' });
      else resolve({ ok: true, body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks) });
    });
    req.on('error', () => resolve({ ok: false, reason: 'aborted' }));
    // 'close' without a complete body means the client went away mid-upload.
    req.on('close', () => {
      if (!req.complete) resolve({ ok: false, reason: 'aborted' });
    });
  });
}
