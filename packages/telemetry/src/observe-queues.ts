import type { GatewayMetrics } from './gateway-metrics.ts';
import type { QueueStatsSource } from './queue-stats.ts';

/** Shows `source`'s queues in the queue gauges until the returned function is called. */
export function observeQueues(metrics: GatewayMetrics, source: QueueStatsSource): () => void {
  metrics.queueSources.add(source);
  return () => {
    metrics.queueSources.delete(source);
  };
}
