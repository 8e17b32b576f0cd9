import {
  type ProviderQueue,
  readCallLimiterState,
  readQueueStats,
  readRecentFailures,
  readWorkersSeen,
} from '@imagegate/queue';
import type { IngressDeps } from './deps.ts';

/**
 * One provider as the operator's console shows it: its queue, its limits, what the shared call
 * limiter let through in the last minute and whether a 429 paused it, the workers beating for it,
 * and its failed upstream attempts of the last hour by error code. All of it is read from Redis,
 * where the workers keep it (a few commands per provider).
 */
export async function providerStatus(deps: IngressDeps, provider: string, queue: ProviderQueue) {
  const { redis, settings } = deps;
  const [[stats], limiter, workers, failures] = await Promise.all([
    readQueueStats([queue]),
    readCallLimiterState(redis, settings.redisPrefix, provider),
    readWorkersSeen(redis, settings.redisPrefix, provider),
    readRecentFailures(redis, settings.redisPrefix, provider),
  ]);
  const limit = deps.admission.limitOf(provider);
  return {
    provider,
    queue: {
      waiting: stats?.waiting ?? 0,
      active: stats?.active ?? 0,
      delayed: stats?.delayed ?? 0,
      oldest_waiting_age_s: stats === undefined || stats.waiting === 0 ? null : Math.floor(stats.oldestWaitingAgeS),
    },
    limit: {
      requests_per_minute: Math.round((limit.requests * 60_000) / limit.windowMs),
      concurrency: limit.concurrency,
      max_queued: limit.maxQueued,
    },
    calls_last_minute: limiter.callsLastMinute,
    paused_until: limiter.pausedUntilMs === null ? null : Math.ceil(limiter.pausedUntilMs / 1000),
    workers: workers.map((worker) => ({ id: worker.id, last_seen_at: worker.lastSeenAt })),
    recent_failures: failures,
  };
}

/** Every provider this ingress has a queue for, by name. */
export async function providerStatuses(deps: IngressDeps) {
  const providers = [...deps.queues].sort(([a], [b]) => a.localeCompare(b));
  return Promise.all(providers.map(([provider, queue]) => providerStatus(deps, provider, queue)));
}
