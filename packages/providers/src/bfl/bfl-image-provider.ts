import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, type Redact, secretRedactor, TimeoutError, UpstreamError } from '@imagegate/core';
import { readImageDimensions } from '../image-dimensions.ts';
import {
  formatOfMediaType,
  type GenerateOptions,
  type ImageProvider,
  mediaTypeOf,
  type ProviderImage,
  type ProviderImageRequest,
  type ProviderImageResult,
  type UpstreamTask,
} from '../spec.ts';
import { UPSTREAM_DEFAULTS } from '../upstream-defaults.ts';
import { bflSubmitBody, explicitDimensions, parseSubmitResponse } from './bfl-api.ts';
import { bflEditFields, isFillModel } from './bfl-edit-fields.ts';
import { abortedError, malformedAnswerError, mapBflHttpError } from './bfl-errors.ts';
import { type BflHttp, createBflHttp } from './bfl-http.ts';
import { type PollSchedule, pollTask } from './bfl-polling.ts';

export interface BflProviderConfig {
  /** Sent as `x-key` to submit and poll, never to the delivery host. */
  apiKey: string;
  /** Origin of the API (default `https://api.bfl.ai`), a regional host, or an emulator. */
  baseURL?: string;
  /** Milliseconds one call may take in all, submission, polling and download included (default 600 000). */
  timeoutMs?: number;
  /** Milliseconds of the first wait between polls (default 500); each later wait is 1.5 times longer. */
  pollIntervalMs?: number;
  /** Milliseconds the wait between polls grows to at most (default 5000). */
  maxPollIntervalMs?: number;
  /** Keep-alive connections to the upstream (default 128). */
  connections?: number;
}

const DEFAULT_BASE_URL = 'https://api.bfl.ai';

/**
 * Black Forest Labs' FLUX models: submit a task, poll its `polling_url` with backoff, download the
 * signed result at once. The task is reported through `onTaskSubmitted` before polling, and a
 * `pendingTask` is polled instead of submitted, so a redelivered job never pays twice. Retries are
 * the worker's job: every error says whether one could succeed.
 */
export function createBflImageProvider(config: BflProviderConfig): ImageProvider {
  const timeoutMs = config.timeoutMs ?? UPSTREAM_DEFAULTS.timeoutMs;
  const http = createBflHttp(config.apiKey, config.connections ?? UPSTREAM_DEFAULTS.connections, timeoutMs);
  const baseURL = (config.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const schedule: PollSchedule = {
    firstIntervalMs: config.pollIntervalMs ?? 500,
    maxIntervalMs: config.maxPollIntervalMs ?? 5_000,
  };
  const redact = secretRedactor([config.apiKey]);
  const context: RunContext = { http, baseURL, schedule, redact };

  return {
    name: 'bfl',
    async generate(request: ProviderImageRequest, options: GenerateOptions): Promise<ProviderImageResult> {
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
      // Ends the retries of a task report still failing when the call ends.
      const ended = new AbortController();
      try {
        return await run(context, request, options, AbortSignal.any([signal, ended.signal]));
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        if (options.signal?.aborted) throw abortedError(error);
        if (deadline.aborted) {
          throw new TimeoutError('The upstream did not finish the image in time.', { retryable: true, cause: error });
        }
        throw error;
      } finally {
        ended.abort();
      }
    },
  };
}

interface RunContext {
  http: BflHttp;
  baseURL: string;
  schedule: PollSchedule;
  redact: Redact;
}

async function run(
  context: RunContext,
  request: ProviderImageRequest,
  options: GenerateOptions,
  signal: AbortSignal,
): Promise<ProviderImageResult> {
  let resumed = options.pendingTask !== undefined;
  // What BFL said the task costs; unknown for a task an earlier delivery submitted.
  let usage: Record<string, unknown> | undefined;
  // A newer task's report replaces an older one's that is still being retried.
  let reporting = new AbortController();
  const submitted = async (): Promise<UpstreamTask> => {
    const fresh = await submit(context, request, signal);
    usage = fresh.usage;
    reporting.abort();
    reporting = new AbortController();
    await reportTask(fresh.task, options, AbortSignal.any([signal, reporting.signal]));
    return fresh.task;
  };
  let task = options.pendingTask ?? (await submitted());
  for (;;) {
    if (!isBflHost(task.pollingUrl, context.baseURL))
      throw malformedAnswerError('polling_url on a host that is not BFL');
    const outcome = await pollTask(context.http, task, {
      schedule: context.schedule,
      waitFirst: !resumed,
      signal,
      redact: context.redact,
      onProgress: options.onProgress && ((fraction) => options.onProgress?.(`${Math.round(fraction * 100)}% rendered`)),
    });
    if (outcome.type === 'ready') {
      const image = await download(context.http, outcome.sampleUrl, request, signal);
      if (image !== 'gone') return { ...toResult(request, image), usage };
      if (!resumed) throw lostResultError('The upstream refused the link to a finished image.');
    } else if (outcome.type === 'failed') {
      if (!resumed) throw outcome.error;
    } else if (!resumed) {
      throw lostResultError('The upstream lost track of the task.');
    }
    // A task from an earlier delivery that failed, expired or was forgotten: the only way on is a new one.
    task = await submitted();
    resumed = false;
  }
}

async function submit(
  context: RunContext,
  request: ProviderImageRequest,
  signal: AbortSignal,
): Promise<{ task: UpstreamTask; usage: Record<string, unknown> }> {
  const url = `${context.baseURL}/v1/${encodeURIComponent(request.providerModel)}`;
  const body = { ...bflSubmitBody(request), ...(await bflEditFields(request)) };
  const answer = await context.http.postJson(url, body, signal);
  if (answer.status < 200 || answer.status >= 300) throw mapBflHttpError(answer, 'submit', context.redact);
  const submitted = parseSubmitResponse(answer.body);
  if (submitted === undefined) throw malformedAnswerError('submit answer');
  const task: UpstreamTask = { id: submitted.id, pollingUrl: submitted.pollingUrl, submittedAt: Date.now() };
  return { task, usage: submitted.usage };
}

/** Waits between the retries of a failed task report: doubling from the first, up to the cap. */
const REPORT_RETRY_FIRST_MS = 200;
const REPORT_RETRY_MAX_MS = 5_000;

/**
 * Reports a task BFL accepted (and charges for) before it is polled. When the report fails (the
 * database down at that moment), the call does not fail: that would lose a paid task, and the next
 * delivery would submit and pay again. The task is polled from memory while the report is retried
 * beside it until it succeeds or the call ends, so a later delivery can still resume it.
 */
async function reportTask(task: UpstreamTask, options: GenerateOptions, signal: AbortSignal): Promise<void> {
  const report = options.onTaskSubmitted;
  if (report === undefined) return;
  const reported = await report(task).then(
    () => true,
    () => false,
  );
  if (reported) return;
  void (async () => {
    for (let waitMs = REPORT_RETRY_FIRST_MS; !signal.aborted; waitMs = Math.min(waitMs * 2, REPORT_RETRY_MAX_MS)) {
      const waited = await sleep(waitMs, true, { signal }).catch(() => false);
      if (!waited) return;
      if (
        await report(task).then(
          () => true,
          () => false,
        )
      )
        return;
    }
  })();
}

/** The image behind a signed `result.sample`; `gone` when the link expired (403) or the blob is gone (404). */
async function download(
  http: BflHttp,
  url: string,
  request: ProviderImageRequest,
  signal: AbortSignal,
): Promise<ProviderImage | 'gone'> {
  const answer = await http.getBytes(url, signal);
  if (answer.status === 403 || answer.status === 404) return 'gone';
  if (answer.status < 200 || answer.status >= 300) {
    throw new UpstreamError(`The upstream failed to deliver the image (${answer.status}).`, {
      code: 'upstream_error',
      retryable: true,
    });
  }
  if (answer.bytes.length === 0) throw malformedAnswerError('empty image');
  const mediaType = answer.mediaType.startsWith('image/') ? answer.mediaType : mediaTypeOf(request.outputFormat);
  return { bytes: answer.bytes, mediaType };
}

function toResult(request: ProviderImageRequest, image: ProviderImage): ProviderImageResult {
  // Aspect-ratio models choose their own pixels; only the image knows them.
  const measured =
    explicitDimensions(request) === undefined || isFillModel(request.providerModel)
      ? readImageDimensions(image.bytes)
      : undefined;
  return {
    images: [image],
    size: measured === undefined ? request.size : `${measured.width}x${measured.height}`,
    quality: 'standard',
    outputFormat: knownFormat(formatOfMediaType(image.mediaType)) ?? request.outputFormat,
    background: 'opaque',
    warnings: [],
  };
}

/**
 * `x-key` goes only to BFL: the configured origin or a `*.bfl.ai` host (regional polling hosts such
 * as `api.us3.bfl.ai`), never to a host a tampered answer or job row names.
 */
function isBflHost(url: string, baseURL: string): boolean {
  try {
    const { host, hostname, protocol } = new URL(url);
    if (host === new URL(baseURL).host) return true;
    return protocol === 'https:' && (hostname === 'bfl.ai' || hostname.endsWith('.bfl.ai'));
  } catch {
    return false;
  }
}

const knownFormat = (format: string): string | undefined =>
  ['png', 'jpeg', 'webp'].includes(format) ? format : undefined;

/** A retryable failure after which the next delivery resumes the task, and submits afresh if need be. */
function lostResultError(message: string): UpstreamError {
  return new UpstreamError(message, { code: 'upstream_error', retryable: true });
}
