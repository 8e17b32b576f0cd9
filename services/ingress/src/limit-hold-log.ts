import type { Logger } from '@imagegate/core';
import { describeLimit } from '@imagegate/queue';
import type { LimitHold } from './limit-hold.ts';

/** One warning per provider per this long, per ingress process. */
const ONCE_PER_MS = 60_000;

/**
 * Says in the log that a provider's limit holds jobs back: once a minute per provider in each
 * ingress process, however many answers carry the warning meanwhile. The ingress logs it because
 * it is where the wait is estimated and told to clients; the workers only see one call at a time.
 */
export class LimitHoldLog {
  readonly #lastAt = new Map<string, number>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  note(hold: LimitHold, backlog: { waiting: number; backlogWaitMs: number }, now = Date.now()): void {
    const last = this.#lastAt.get(hold.provider);
    if (last !== undefined && now - last < ONCE_PER_MS) return;
    this.#lastAt.set(hold.provider, now);
    this.#logger.warn(
      {
        provider: hold.provider,
        cause: hold.cause,
        waiting: backlog.waiting,
        limit: describeLimit(hold.limit),
        estimatedWaitS: Math.ceil(backlog.backlogWaitMs / 1000),
        hint:
          hold.cause === 'upstream_pause'
            ? 'the upstream answered 429; if this recurs, PROVIDER_LIMITS is above what your upstream tier allows'
            : 'raise PROVIDER_LIMITS if your upstream tier allows more (docs/operations.md, "Sizing PROVIDER_LIMITS")',
      },
      'provider limit is holding jobs back',
    );
  }
}
