import { toGatewayError } from '@imagegate/core';
import { inSpan, type Telemetry } from '@imagegate/telemetry';

export type AttemptOutcome = 'succeeded' | 'retry' | 'rate_limited' | 'failed' | 'canceled';

/**
 * What one provider's worker reports about its attempts and upstream calls: counters and latency
 * by provider and model (both from the catalog, so bounded), and a span per upstream call.
 */
export function attemptTelemetry(telemetry: Telemetry, provider: string) {
  const { metrics, tracing } = telemetry;
  return {
    attempt(model: string, outcome: AttemptOutcome): void {
      metrics.upstreamAttempts.inc({ provider, model, outcome });
    },
    paused(): void {
      metrics.rateLimiterPauses.inc({ provider });
    },
    /** `generateInCalls`' `aroundCall` for a job on `model`. */
    aroundCall(model: string) {
      return <T>(index: number, call: () => Promise<T>): Promise<T> =>
        inSpan(
          tracing.tracer,
          'upstream call',
          { 'imagegate.provider': provider, 'imagegate.model': model, 'imagegate.call_index': index },
          async () => {
            const started = process.hrtime.bigint();
            let status = 'ok';
            try {
              return await call();
            } catch (error) {
              status = toGatewayError(error).code ?? 'internal_error';
              throw error;
            } finally {
              metrics.upstreamCalls.inc({ provider, model, status });
              metrics.upstreamCallDuration.observe(
                { provider, model },
                Number(process.hrtime.bigint() - started) / 1e9,
              );
            }
          },
        );
    },
  };
}

export type AttemptTelemetry = ReturnType<typeof attemptTelemetry>;
