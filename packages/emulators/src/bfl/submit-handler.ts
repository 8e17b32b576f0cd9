import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decideFault } from '../faults/decide-fault.ts';
import { sleep } from '../http/abortable-wait.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { sendJsonBody } from '../http/send-body.ts';
import { trackCall } from '../http/tracked-call.ts';
import type { BflDeps } from './deps.ts';
import { REGIONAL_POLL_PATH } from './deps.ts';
import { resolveEditInputs } from './edit-inputs.ts';
import type { BflModel } from './models.ts';
import { bflCost } from './models.ts';
import { bflFaultReply, sendBflError } from './replies.ts';
import type { BflTask } from './task-store.ts';
import type { SubmitRequest } from './validate-submit.ts';
import { validateSubmit } from './validate-submit.ts';

/** Room for eight base64 input images. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Input images and long strings are elided from recorded bodies. */
const MAX_KEPT_CHARS = 256;

/**
 * `POST /v1/{model}`: key → JSON → validation → fault decision → latency → task. Answers
 * `{id, polling_url, cost, input_mp, output_mp}`; failures decided here (HTTP errors) are sent
 * instead, others (`moderation`, `filtered`, `failed`, `partial`, `hang`) surface while polling.
 */
export function handleSubmit(req: IncomingMessage, res: ServerResponse, model: BflModel, deps: BflDeps): Promise<void> {
  return trackCall(
    res,
    deps.stats.group.recorder('submit'),
    deps.shutdown,
    (signal) => processSubmit(req, res, model, deps, signal),
    () => sendBflError(res, { status: 500, detail: 'Internal Server Error' }),
  );
}

async function processSubmit(
  req: IncomingMessage,
  res: ServerResponse,
  model: BflModel,
  deps: BflDeps,
  signal: AbortSignal,
): Promise<void> {
  const keyError = checkKey(req, deps.apiKey);
  if (keyError !== undefined) return sendBflError(res, { status: 403, detail: keyError });
  const read = await readJsonBody(req, MAX_BODY_BYTES);
  if (!read.ok) {
    if (read.reason === 'too_large') sendBflError(res, { status: 413, detail: 'Request Entity Too Large' });
    if (read.reason === 'invalid_json') {
      const issue = {
        type: 'json_invalid',
        loc: ['body', 0],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: read.message },
      };
      sendBflError(res, { status: 422, detail: [issue] });
    }
    return;
  }
  deps.stats.group.recorder('submit').requestBody(redact(read.value));
  const validation = validateSubmit(model, read.value);
  if (!validation.ok) return sendBflError(res, { status: 422, detail: validation.detail });
  const resolved = await resolveEditInputs(validation.request);
  if (!resolved.ok) return sendBflError(res, { status: 422, detail: resolved.detail });
  const request = resolved.request;

  const decision = decideFault(request.prompt, deps.faults);
  if ('error' in decision) {
    const issue = {
      type: 'value_error',
      loc: ['body', 'prompt'],
      msg: `Value error, ${decision.error}`,
      input: request.prompt,
      ctx: { error: {} },
    };
    return sendBflError(res, { status: 422, detail: [issue] });
  }
  if (!(await sleep(deps.latencyMs + decision.addedLatencyMs, signal))) return;
  const failure = bflFaultReply(decision.outcome);
  if (failure) return sendBflError(res, failure);

  const task = createTask(request, decision.outcome, deps);
  deps.tasks.add(task);
  deps.stats.taskSubmitted(task.id, model);
  sendJsonBody(res, 200, {
    id: task.id,
    polling_url: `${deps.origin}${REGIONAL_POLL_PATH}?id=${task.id}`,
    // Each input image counts as one megapixel: the emulator does not decode them.
    cost: bflCost(model, request.width, request.height, request.inputImages),
    input_mp: request.inputImages,
    output_mp: Math.round((request.width * request.height) / 10_000) / 100,
  });
}

function createTask(request: SubmitRequest, outcome: BflTask['outcome'], deps: BflDeps): BflTask {
  const now = Date.now();
  return { id: randomUUID(), request, outcome, submittedAtMs: now, readyAtMs: now + deps.renderMs };
}

/** FastAPI's API-key header scheme answers 403 both for a missing and an unknown key. */
function checkKey(req: IncomingMessage, apiKey: string): string | undefined {
  const header = req.headers['x-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || key === '') return 'Not authenticated';
  return key === apiKey ? undefined : 'Invalid API key';
}

function redact(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) =>
      typeof child === 'string' && child.length > MAX_KEPT_CHARS
        ? [key, `<${child.length} chars elided>`]
        : [key, child],
    ),
  );
}
