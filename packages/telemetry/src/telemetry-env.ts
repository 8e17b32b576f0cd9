import { parseEnv } from '@imagegate/core';
import { z } from 'zod';

/** The telemetry variables every service reads (docs/operations.md, "Metrics" and "Traces"). */
export const telemetryEnvSchema = z.object({
  /**
   * A worker's `/metrics` port (unset: no metrics server). The ingress serves `/metrics` on its own
   * port whatever this says.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Address the metrics server listens on (default all interfaces). */
  METRICS_HOST: z.string().default('0.0.0.0'),
  /** An OTLP/HTTP collector's base URL; spans are exported when set, and OpenTelemetry is not even loaded when not. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** The full traces URL, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /** The spans' `service.name` (default: the service's name, e.g. `imagegate-ingress`). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type TelemetryConfig = z.output<typeof telemetryEnvSchema>;

/** The telemetry variables of `env` (a process running several services reads them once). */
export function parseTelemetryConfig(env: Record<string, string | undefined>): TelemetryConfig {
  return parseEnv(telemetryEnvSchema, env);
}

/** The tracing options of `config` for a service named `serviceName`. */
export function tracingOptionsOf(config: TelemetryConfig, serviceName: string) {
  return {
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    tracesEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    serviceName: config.OTEL_SERVICE_NAME ?? serviceName,
  };
}
