import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayError, Redact } from '@imagegate/core';
import type { UpstreamTask } from '../spec.ts';
import { parseResultResponse } from './bfl-api.ts';
import { malformedAnswerError, mapBflHttpError, moderationError, taskFailedError } from './bfl-errors.ts';
import type { BflHttp } from './bfl-http.ts';

/** How often to ask: the first wait, growing by half after every poll up to the cap. */
export interface PollSchedule {
  /** Milliseconds before the second poll (and before the first, for a fresh task). */
  firstIntervalMs: number;
  /** Milliseconds the wait grows to at most. */
  maxIntervalMs: number;
}

/** How polling ended without throwing: an image to fetch, or a task the upstream no longer knows. */
export type PollOutcome =
  | { type: 'ready'; sampleUrl: string }
  | { type: 'not_found' }
  /** The task ended in `Error`: retryable, with a new task. */
  | { type: 'failed'; error: GatewayError };

export interface PollTaskOptions {
  schedule: PollSchedule;
  /** Wait one interval before the first poll: a task submitted a moment ago cannot be done yet. */
  waitFirst: boolean;
  /** Ends a wait or a poll at once. */
  signal: AbortSignal;
  redact: Redact;
  /** Each poll of a pending task that says how far it is (0–1). */
  onProgress?: ((fraction: number) => void) | undefined;
}

const BACKOFF_FACTOR = 1.5;

/**
 * Polls `task.pollingUrl` (exactly as the upstream gave it) until the task leaves `Pending`.
 * Unknown statuses count as pending, since newer products add intermediate states. Throws
 * `ModerationBlockedError` for moderated tasks; a failed task is an outcome, since what to do
 * about it depends on whether this call submitted it.
 */
export async function pollTask(http: BflHttp, task: UpstreamTask, options: PollTaskOptions): Promise<PollOutcome> {
  const { schedule, signal } = options;
  let intervalMs = schedule.firstIntervalMs;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 || options.waitFirst) {
      await sleep(intervalMs, undefined, { signal });
      intervalMs = Math.min(intervalMs * BACKOFF_FACTOR, schedule.maxIntervalMs);
    }
    const answer = await http.getJson(task.pollingUrl, signal);
    if (answer.status < 200 || answer.status >= 300) throw mapBflHttpError(answer, 'poll', options.redact);
    const result = parseResultResponse(answer.body);
    if (result === undefined) throw malformedAnswerError('poll answer');
    switch (result.status) {
      case 'Ready':
        if (result.sample === undefined) throw malformedAnswerError('result without result.sample');
        return { type: 'ready', sampleUrl: result.sample };
      case 'Request Moderated':
      case 'Content Moderated':
        throw moderationError(result.status, result.details);
      case 'Error':
      case 'Failed':
        return { type: 'failed', error: taskFailedError(result.status, result.details, options.redact) };
      case 'Task not found':
        return { type: 'not_found' };
    }
    if (result.progress !== undefined) options.onProgress?.(result.progress);
  }
}
