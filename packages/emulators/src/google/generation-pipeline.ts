import type { IncomingMessage, ServerResponse } from 'node:http';
import { decideFault } from '../faults/decide-fault.ts';
import type { FaultController } from '../faults/fault-controller.ts';
import type { FaultOutcome } from '../faults/fault-types.ts';
import { sleep, waitForAbort } from '../http/abortable-wait.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { trackCall } from '../http/tracked-call.ts';
import type { StatsRecorder } from '../stats/stats-recorder.ts';
import type { GoogleErrorReply } from './errors.ts';
import { googleError, invalidArgument } from './errors.ts';
import type { GoogleSurface } from './fault-replies.ts';
import { googleFaultReply } from './fault-replies.ts';
import type { GoogleReply } from './reply.ts';
import { sendGoogleError, sendGoogleReply } from './reply.ts';

/** Emulator-wide settings every generation endpoint shares. */
export interface GenerationSettings {
  /** Fixed latency added to every authenticated, valid call, ms. */
  latencyMs: number;
  faults: FaultController;
  shutdown: AbortSignal;
}

/** One generation endpoint (`:predict`, `:generateContent`) plugged into the shared pipeline. */
export interface GenerationEndpoint<R extends { prompt: string }> {
  surface: GoogleSurface;
  model: string;
  stats: StatsRecorder;
  /** Auth, then model existence: failures here never consume a scripted fault. */
  precheck(): GoogleErrorReply | undefined;
  validate(body: unknown): { ok: true; request: R } | { ok: false; error: GoogleErrorReply };
  /** What to keep in `stats().lastRequests` (e.g. with inline images elided). */
  redact(body: unknown): unknown;
  /** The answer for an outcome that is not a plain error (`ok`, `partial`, `filtered`, `moderation`). */
  respond(request: R, outcome: FaultOutcome): Promise<GoogleReply>;
  /**
   * Streams the answer instead (`:streamGenerateContent?alt=sse`): given the whole answer, sends
   * what comes first (text) at once and the rest once the latency has passed.
   */
  stream?: (res: ServerResponse, reply: Promise<GoogleReply>, latencyMs: number, signal: AbortSignal) => Promise<void>;
}

/** Gemini's inline-request limit; Vertex allows a little more, which tests never need. */
export const MAX_REQUEST_BYTES = 20 * 1024 * 1024;

/**
 * Runs one generation call: precheck → JSON → validation → fault decision → latency → answer.
 * Faults apply only to requests that would otherwise succeed, as in the OpenAI emulator.
 */
export function runGeneration<R extends { prompt: string }>(
  req: IncomingMessage,
  res: ServerResponse,
  settings: GenerationSettings,
  endpoint: GenerationEndpoint<R>,
): Promise<void> {
  return trackCall(
    res,
    endpoint.stats,
    settings.shutdown,
    (signal) => processGeneration(req, res, settings, endpoint, signal),
    (error) => {
      const message = error instanceof Error ? error.message : String(error);
      sendGoogleError(res, googleError(500, 'INTERNAL', `Emulator failure: ${message}`));
    },
  );
}

async function processGeneration<R extends { prompt: string }>(
  req: IncomingMessage,
  res: ServerResponse,
  settings: GenerationSettings,
  endpoint: GenerationEndpoint<R>,
  signal: AbortSignal,
): Promise<void> {
  const refused = endpoint.precheck();
  if (refused) return sendGoogleError(res, refused);
  const read = await readJsonBody(req, MAX_REQUEST_BYTES);
  if (!read.ok) {
    if (read.reason === 'too_large') {
      sendGoogleError(res, invalidArgument(`Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes.`));
    } else if (read.reason === 'invalid_json') {
      sendGoogleError(res, invalidArgument(`Invalid JSON payload received. ${read.message}`));
    }
    return;
  }
  endpoint.stats.requestBody(endpoint.redact(read.value));
  const validation = endpoint.validate(read.value);
  if (!validation.ok) return sendGoogleError(res, validation.error);

  const decision = decideFault(validation.request.prompt, settings.faults);
  if ('error' in decision) return sendGoogleError(res, invalidArgument(decision.error));
  const latencyMs = settings.latencyMs + decision.addedLatencyMs;
  const outcome = decision.outcome;
  if (outcome.type === 'hang') return waitForAbort(signal);
  const failure = googleFaultReply(outcome, endpoint.surface, endpoint.model);
  if (failure) {
    if (await sleep(latencyMs, signal)) sendGoogleError(res, failure);
    return;
  }
  if (endpoint.stream !== undefined) {
    return endpoint.stream(res, endpoint.respond(validation.request, outcome), latencyMs, signal);
  }
  // Render while the latency elapses, so latency stays what was configured.
  const [waited, reply] = await Promise.all([sleep(latencyMs, signal), endpoint.respond(validation.request, outcome)]);
  if (waited) sendGoogleReply(res, reply);
}
