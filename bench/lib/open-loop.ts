import { percentile } from './stats.ts';

export interface OpenLoopResult {
  /** `performance.now()` at which request 0 was due; request i was due at startMs + i / rate s. */
  startMs: number;
  offeredPerS: number;
  sent: number;
  ok: number;
  errors: number;
  achievedPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Open-loop, constant arrival rate: request i is due at start + i/rate whether or not earlier ones
 * answered, and its latency counts from that scheduled time (a closed loop would hide the tail).
 * Requests due during `warmupS` are sent but not measured.
 */
export async function runOpenLoop(options: {
  ratePerS: number;
  durationS: number;
  warmupS: number;
  send: (index: number) => Promise<boolean>;
}): Promise<OpenLoopResult> {
  const { ratePerS, durationS, warmupS } = options;
  const total = Math.floor(ratePerS * (warmupS + durationS));
  const measuredFrom = Math.floor(ratePerS * warmupS);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let lastDone = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * ratePerS) + 1);
    for (; next < due; next++) {
      const index = next;
      const scheduled = start + (index / ratePerS) * 1000;
      inFlight.push(
        options.send(index).then(
          (success) => {
            if (index < measuredFrom) return;
            lastDone = performance.now();
            latencies.push(lastDone - scheduled);
            if (success) ok++;
            else errors++;
          },
          () => {
            if (index >= measuredFrom) errors++;
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  const sorted = latencies.sort((a, b) => a - b);
  // Throughput over the measured window as it really ended (late answers stretch it).
  const measuredSpanS = Math.max(durationS, (lastDone - (start + warmupS * 1000)) / 1000);
  return {
    startMs: start,
    offeredPerS: ratePerS,
    sent: total - measuredFrom,
    ok,
    errors,
    achievedPerS: ok / measuredSpanS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}
