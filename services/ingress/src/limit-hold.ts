import { describeLimit, describeRate, type ProviderLimit } from '@imagegate/queue';

/** A provider limit holding a queued job back: what the answer's warning, `Retry-After` and the log say. */
export interface LimitHold {
  provider: string;
  /** `rate_limit`: our pacing to `PROVIDER_LIMITS`; `upstream_pause`: the upstream answered 429 and said to wait. */
  cause: 'rate_limit' | 'upstream_pause';
  limit: ProviderLimit;
  /** Jobs ahead of this one in the provider's queue. */
  ahead: number;
  /** Milliseconds from now until the job should start. */
  waitMs: number;
}

/** Seconds a held job's client should wait before polling: until its expected start, at least 1. */
export function retryAfterSeconds(hold: LimitHold): number {
  return Math.max(1, Math.ceil(hold.waitMs / 1000));
}

/**
 * The `extra.warnings` entry of a held job. `queued`: said of a job still waiting (a 202, a job
 * read); `waited`: said of a job that waited and has finished (a 200).
 */
export function limitHoldWarning(hold: LimitHold, tense: 'queued' | 'waited', now = Date.now()): string {
  const startS = Math.ceil(hold.waitMs / 1000);
  const at = new Date(Math.ceil((now + hold.waitMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const ahead = `${hold.ahead} ${hold.ahead === 1 ? 'job' : 'jobs'} ahead of it`;
  const what =
    hold.cause === 'upstream_pause'
      ? `provider '${hold.provider}' answered 429 (rate limited) and asked for a pause; its limit here is ${describeRate(hold.limit)}`
      : `provider '${hold.provider}' is limited to ${describeLimit(hold.limit)}`;
  if (tense === 'waited') {
    return `This job waited in the queue because ${what}: ${ahead} when it was accepted, expected to start about ${startS} s later.`;
  }
  return `This job is queued behind a provider limit: ${what}. ${capitalised(ahead)}; expected to start in about ${startS} s (${at}).`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
