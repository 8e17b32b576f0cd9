import type { IncomingMessage, ServerResponse } from 'node:http';
import { openAIError } from './errors.ts';
import type { GenerationDeps } from './generation-deps.ts';
import type { ReplyContext } from './reply.ts';
import { sendError } from './reply.ts';

/** One endpoint's work, given a signal that aborts when the client leaves or the emulator closes. */
export type CallProcessor = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ReplyContext,
  deps: GenerationDeps,
  signal: AbortSignal,
) => Promise<void>;

/**
 * What every image call of the OpenAI emulator shares around its own work: call stats, the abort
 * signal, a 500 envelope for the emulator's own failures, and no socket left lingering.
 */
export async function runCall(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ReplyContext,
  deps: GenerationDeps,
  processor: CallProcessor,
): Promise<void> {
  deps.stats.callStarted();
  // `close` before the response ended means the client went away (abort, timeout, socket reset).
  const clientGone = new AbortController();
  res.once('close', () => clientGone.abort());
  try {
    await processor(req, res, ctx, deps, AbortSignal.any([clientGone.signal, deps.shutdown]));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    sendError(res, ctx, openAIError(500, 'server_error', `Emulator failure: ${message}`));
  } finally {
    deps.stats.callFinished(res.writableEnded ? res.statusCode : 'aborted');
    // A hang released by shutdown has no response; make sure its socket does not linger.
    if (!res.writableEnded) res.destroy();
  }
}
