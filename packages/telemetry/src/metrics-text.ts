import { AggregatorRegistry } from 'prom-client';
import type { GatewayMetrics } from './gateway-metrics.ts';

/**
 * The text a `/metrics` scrape answers: this thread's registry plus those of the threads that
 * report into it (the provider worker's thread under `./imagegate.sh start`), added up by family
 * and labels as prom-client aggregates a cluster's workers. Threads count their own calls and
 * jobs and have no process metrics of their own, so the sums are the process's figures.
 */
export async function metricsText(metrics: GatewayMetrics): Promise<string> {
  if (metrics.threadSources.size === 0) return metrics.registry.metrics();
  const own = await metrics.registry.getMetricsAsJSON();
  const threads = await Promise.all([...metrics.threadSources].map((source) => source()));
  return AggregatorRegistry.aggregate([own, ...threads]).metrics();
}
