import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { OpenAIErrorReply } from './errors.ts';

/** Per-request data needed to stamp OpenAI's response headers. */
export interface ReplyContext {
  /** `req_<32 hex>`, sent as `x-request-id` (the SDK exposes it as `_request_id`). */
  requestId: string;
  /** `performance.now()` at arrival, for `openai-processing-ms`. */
  startedAt: number;
}

/** Starts the clock and allocates a request id. */
export function newReplyContext(): ReplyContext {
  // randomUUID draws from a pre-filled entropy pool, which is cheaper than randomBytes per request.
  return { requestId: `req_${randomUUID().replaceAll('-', '')}`, startedAt: performance.now() };
}

function headers(ctx: ReplyContext, contentLength: number, extra?: Record<string, string>): Record<string, string> {
  return {
    'content-type': 'application/json',
    'content-length': String(contentLength),
    'x-request-id': ctx.requestId,
    'openai-processing-ms': String(Math.round(performance.now() - ctx.startedAt)),
    'openai-version': '2020-10-01',
    ...extra,
  };
}

/** Sends a JSON body with OpenAI's standard headers. No-op if the client already left. */
export function sendJson(
  res: ServerResponse,
  ctx: ReplyContext,
  status: number,
  body: unknown,
  extra?: Record<string, string>,
): void {
  sendChunks(res, ctx, status, [Buffer.from(JSON.stringify(body))], extra);
}

/** Sends an OpenAI error reply (status, envelope and headers such as `retry-after`). */
export function sendError(res: ServerResponse, ctx: ReplyContext, reply: OpenAIErrorReply): void {
  sendJson(res, ctx, reply.status, reply.body, reply.headers);
}

/**
 * Sends a body given as pre-serialised pieces. Large images are written as shared buffers instead
 * of one concatenated string, so an 8 MiB × n response copies nothing in JavaScript.
 */
export function sendChunks(
  res: ServerResponse,
  ctx: ReplyContext,
  status: number,
  chunks: readonly Buffer[],
  extra?: Record<string, string>,
): void {
  if (res.writableEnded || res.destroyed) return;
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  res.writeHead(status, headers(ctx, length, extra));
  res.cork();
  for (const chunk of chunks) res.write(chunk);
  res.end();
  res.uncork();
}
