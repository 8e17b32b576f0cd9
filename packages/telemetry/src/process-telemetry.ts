import { startMetricsServer } from './metrics-server.ts';
import { createTelemetry, type Telemetry } from './telemetry.ts';
import { type TelemetryConfig, tracingOptionsOf } from './telemetry-env.ts';

/** A service's telemetry as its `start…FromConfig` opened it. */
export interface OpenedTelemetry {
  telemetry: Telemetry;
  /** The `METRICS_PORT` endpoint's base URL (scrape `<url>/metrics`), when this service opened one. */
  metricsUrl: string | undefined;
  /** Closes what was opened here (the metrics server, the span exporter after a last flush). */
  close(): Promise<void>;
}

/**
 * The telemetry a service runs with: `given` when the process runs several services (they share it
 * and the caller serves it), else its own from the config, with a `/metrics` server on
 * `METRICS_PORT` when that is set.
 */
export async function openTelemetry(
  config: TelemetryConfig,
  serviceName: string,
  given?: Telemetry,
): Promise<OpenedTelemetry> {
  if (given !== undefined) return { telemetry: given, metricsUrl: undefined, close: async () => {} };
  const telemetry = await createTelemetry(tracingOptionsOf(config, serviceName));
  const server =
    config.METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer(telemetry.metrics, { port: config.METRICS_PORT, host: config.METRICS_HOST });
  return {
    telemetry,
    metricsUrl: server?.url,
    async close() {
      await server?.close();
      await telemetry.tracing.shutdown();
    },
  };
}
