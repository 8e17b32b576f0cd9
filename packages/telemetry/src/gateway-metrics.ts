import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueStats, QueueStatsSource } from './queue-stats.ts';
import type { ThreadMetricsSource } from './thread-metrics-source.ts';

/** Seconds: from a fast JSON read to a long image generation. */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500];

/**
 * Every metric family imagegate exposes, registered in a registry of their own (no global
 * registry: one process may run several services, a test several stacks). Label values are
 * bounded: route templates, methods, statuses, provider and model names from the catalog, error
 * codes from the closed list; never a job id, an account or a prompt.
 */
export interface GatewayMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpRequestDuration: Histogram<'route' | 'method'>;
  jobsSubmitted: Counter<'operation' | 'provider' | 'model'>;
  /** `outcome`: `succeeded`, `canceled`, or the failed job's error code. */
  jobsFinished: Counter<'operation' | 'provider' | 'model' | 'outcome'>;
  /** One per upstream call (a job of n images may make several); `status`: `ok` or the error code. */
  upstreamCalls: Counter<'provider' | 'model' | 'status'>;
  upstreamCallDuration: Histogram<'provider' | 'model'>;
  /** One per worker attempt that called (or tried to call) the upstream; `outcome`: `succeeded`, `retry`, `rate_limited`, `failed` (on to a fallback, or the job fails), `canceled`. */
  upstreamAttempts: Counter<'provider' | 'model' | 'outcome'>;
  /** Where the queue gauges are read from at each scrape (see `observeQueues`). */
  queueSources: Set<QueueStatsSource>;
  /** Other threads' metrics, added to this registry's at each scrape (see `metricsText`). */
  threadSources: Set<ThreadMetricsSource>;
  queueWaiting: Gauge<'queue'>;
  queueActive: Gauge<'queue'>;
  queueDelayed: Gauge<'queue'>;
  queueOldestWaitingAge: Gauge<'queue'>;
  rateLimiterPauses: Counter<'provider'>;
  /** From a job's end to its debit (or release) being committed. */
  settlementLag: Histogram<never>;
  settlementBatchSize: Histogram<never>;
  /** `outcome`: `delivered`, `retrying` or `failed` (no retries left). */
  webhookDeliveries: Counter<'outcome'>;
  usdHeld: Counter<never>;
  usdCharged: Counter<never>;
  usdRefunded: Counter<never>;
  usdUpstreamCost: Counter<never>;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const usd = (name: string, help: string) => new Counter({ name, help, registers });
  const queueSources = new Set<QueueStatsSource>();
  // prom-client collects every metric of a scrape at once: the four queue gauges share one read.
  let reading: Promise<QueueStats[]> | undefined;
  const readQueues = (): Promise<QueueStats[]> => {
    reading ??= Promise.all([...queueSources].map((source) => source()))
      .then((each) => each.flat())
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  const queueGauge = (name: string, help: string, readingOf: (stats: QueueStats) => number): Gauge<'queue'> => {
    const gauge: Gauge<'queue'> = new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers,
      async collect() {
        const stats = await readQueues();
        gauge.reset();
        for (const queue of stats) gauge.set({ queue: queue.queue }, readingOf(queue));
      },
    });
    return gauge;
  };
  const queueWaiting = queueGauge(
    'imagegate_queue_waiting',
    'Entries waiting for a worker (read at scrape time).',
    (stats) => stats.waiting,
  );
  const queueActive = queueGauge('imagegate_queue_active', 'Entries a worker holds now.', (stats) => stats.active);
  const queueDelayed = queueGauge(
    'imagegate_queue_delayed',
    'Entries waiting for a later time (retries, rate-limit pauses).',
    (stats) => stats.delayed,
  );
  const queueOldestWaitingAge = queueGauge(
    'imagegate_queue_oldest_waiting_age_seconds',
    'Age of the oldest entry waiting for a worker (0 when none waits).',
    (stats) => stats.oldestWaitingAgeS,
  );
  return {
    registry,
    httpRequests: new Counter({
      name: 'imagegate_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'imagegate_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer ending.',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    jobsSubmitted: new Counter({
      name: 'imagegate_jobs_submitted_total',
      help: 'Jobs recorded with their hold, by operation and the provider and model asked for.',
      labelNames: ['operation', 'provider', 'model'],
      registers,
    }),
    jobsFinished: new Counter({
      name: 'imagegate_jobs_finished_total',
      help: 'Jobs settled after their end, by operation, the provider and model that ended them, and outcome (succeeded, canceled, or the error code).',
      labelNames: ['operation', 'provider', 'model', 'outcome'],
      registers,
    }),
    upstreamCalls: new Counter({
      name: 'imagegate_upstream_calls_total',
      help: 'Calls to an upstream, by provider, model and status (ok or the error code).',
      labelNames: ['provider', 'model', 'status'],
      registers,
    }),
    upstreamCallDuration: new Histogram({
      name: 'imagegate_upstream_call_duration_seconds',
      help: 'How long one upstream call took, whatever it answered.',
      labelNames: ['provider', 'model'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    upstreamAttempts: new Counter({
      name: 'imagegate_upstream_attempts_total',
      help: "Worker attempts at a job's step, by provider, model and outcome (succeeded, retry, rate_limited, failed, canceled).",
      labelNames: ['provider', 'model', 'outcome'],
      registers,
    }),
    queueSources,
    threadSources: new Set(),
    queueWaiting,
    queueActive,
    queueDelayed,
    queueOldestWaitingAge,
    rateLimiterPauses: new Counter({
      name: 'imagegate_rate_limiter_pauses_total',
      help: "Times a provider's calls were paused after an upstream 429 with Retry-After.",
      labelNames: ['provider'],
      registers,
    }),
    settlementLag: new Histogram({
      name: 'imagegate_settlement_lag_seconds',
      help: "Time from a job's end to its settlement being committed.",
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    settlementBatchSize: new Histogram({
      name: 'imagegate_settlement_batch_size',
      help: 'Jobs per settlement statement.',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'imagegate_webhook_deliveries_total',
      help: 'Webhook attempts by outcome: delivered, retrying (will be tried again) or failed (no retries left).',
      labelNames: ['outcome'],
      registers,
    }),
    usdHeld: usd('imagegate_usd_held_total', 'USD held at submission.'),
    usdCharged: usd('imagegate_usd_charged_total', 'USD debited at settlement.'),
    usdRefunded: usd('imagegate_usd_refunded_total', 'USD of holds released at settlement (not charged).'),
    usdUpstreamCost: usd(
      'imagegate_usd_upstream_cost_total',
      "USD the upstreams charged for settled jobs (from their reported usage at the catalog's rates).",
    ),
  };
}
