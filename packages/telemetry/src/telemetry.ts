import { collectDefaultMetrics } from 'prom-client';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.ts';
import { disabledTracing, startTracing, type Tracing, type TracingOptions } from './tracing.ts';

/**
 * A process's metrics and tracing, handed to each service through its deps. One process running
 * several services (`./imagegate.sh start`, the test stack) gives them all the same one, so one
 * endpoint shows them all.
 */
export interface Telemetry {
  metrics: GatewayMetrics;
  tracing: Tracing;
}

/**
 * Fresh metrics and tracing as configured (see `startTracing`). The registry also gets Node's
 * process metrics (CPU, memory, event-loop lag, handles: prom-client's defaults), except in a
 * thread that reports into another's registry (`processMetrics: false`): those are the process's.
 */
export async function createTelemetry(
  tracing: TracingOptions,
  options: { processMetrics?: boolean } = {},
): Promise<Telemetry> {
  const metrics = createGatewayMetrics();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: metrics.registry });
  return { metrics, tracing: await startTracing(tracing) };
}

/** Metrics nobody scrapes and no tracing: for services started from deps that name none. */
export function unobservedTelemetry(): Telemetry {
  return { metrics: createGatewayMetrics(), tracing: disabledTracing() };
}
