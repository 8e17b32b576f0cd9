import type { ServerResponse } from 'node:http';

/**
 * Sends a body given as pre-serialised pieces with an exact `content-length`. Large images are
 * written as shared buffers instead of one concatenated string, so big responses copy nothing in
 * JavaScript. No-op if the response already ended or the client left.
 */
export function sendBody(
  res: ServerResponse,
  status: number,
  chunks: readonly Buffer[],
  headers: Record<string, string>,
): void {
  if (res.writableEnded || res.destroyed) return;
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  res.writeHead(status, { ...headers, 'content-length': String(length) });
  res.cork();
  for (const chunk of chunks) res.write(chunk);
  res.end();
  res.uncork();
}

/** Sends `body` as JSON (`content-type` defaults to `application/json; charset=utf-8`). */
export function sendJsonBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendBody(res, status, [Buffer.from(JSON.stringify(body))], {
    'content-type': 'application/json; charset=utf-8',
    ...headers,
  });
}
