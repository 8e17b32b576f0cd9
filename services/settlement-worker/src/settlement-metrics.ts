import type { GatewayMetrics } from '@imagegate/telemetry';
import type { SettlementOutcome } from './settle-jobs.ts';

const usd = (micros: bigint) => Number(micros) / 1e6;

/**
 * Counts what one settlement batch did: its size, and per job settled here (exactly once per job,
 * whatever ended it) its ending, the money moved and how long after its end it was settled.
 */
export function recordSettlements(
  metrics: GatewayMetrics,
  results: readonly PromiseSettledResult<SettlementOutcome>[],
  now: number = Date.now(),
): void {
  metrics.settlementBatchSize.observe(results.length);
  for (const result of results) {
    if (result.status !== 'fulfilled' || !result.value.settled) continue;
    const { chargedMicros, releasedMicros, upstreamCostMicros, ending } = result.value;
    const { operation, provider, model, outcome } = ending;
    metrics.jobsFinished.inc({ operation, provider, model, outcome });
    metrics.usdCharged.inc(usd(chargedMicros));
    metrics.usdRefunded.inc(usd(releasedMicros));
    metrics.usdUpstreamCost.inc(usd(upstreamCostMicros));
    if (ending.endedAt !== null) metrics.settlementLag.observe(Math.max(0, (now - ending.endedAt.getTime()) / 1000));
  }
}
