/**
 * One open-loop pass of the sync figures, with the CPU it cost: the gateway's (its process trees,
 * from /proc) or, for the passes without a gateway, the load generator's own.
 */
import { type OpenLoopResult, runOpenLoop } from './open-loop.ts';
import { processCpuMs } from './process-tree-cpu.ts';
import { round } from './stats.ts';
import type { Send } from './sync-senders.ts';

export interface MeasuredPass extends OpenLoopResult {
  /** CPU ms of what `cpuMs` measures, per request of the pass (warm-up included). */
  cpuMsPerRequest: number;
  /** The load generator's own CPU ms per request of the same pass. */
  loadGeneratorCpuMsPerRequest: number;
}

/** The load generator's CPU ms so far (this process's threads, not the hosts it forked). */
export const loadGeneratorCpuMs = () => processCpuMs(process.pid);

/**
 * Runs `send` open loop and charges it the CPU `cpuMs` counts over the pass. `settleMs` waits
 * before the last sample, so work a gateway does after answering (settling a job) is counted.
 */
export async function measuredPass(options: {
  ratePerS: number;
  durationS: number;
  warmupS: number;
  send: Send;
  cpuMs: () => number;
  settleMs?: number;
}): Promise<MeasuredPass> {
  const requests = Math.floor(options.ratePerS * (options.durationS + options.warmupS));
  const cpuBefore = options.cpuMs();
  const loadGeneratorBefore = loadGeneratorCpuMs();
  const result = await runOpenLoop(options);
  const loadGeneratorAfter = loadGeneratorCpuMs();
  if (options.settleMs) await new Promise((resolve) => setTimeout(resolve, options.settleMs));
  return {
    ...result,
    cpuMsPerRequest: (options.cpuMs() - cpuBefore) / requests,
    loadGeneratorCpuMsPerRequest: (loadGeneratorAfter - loadGeneratorBefore) / requests,
  };
}

/**
 * CPU ms per second each of `gateways` uses with no request at all, over the same `seconds`: its
 * own background work (timers, queue polling), which a pass at a low rate charges to few requests.
 */
export async function idleCpuMsPerS<Name extends string>(
  gateways: Record<Name, () => number>,
  seconds: number,
): Promise<Record<Name, number>> {
  const entries = Object.entries(gateways) as [Name, () => number][];
  const before = entries.map(([, cpuMs]) => cpuMs());
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return Object.fromEntries(
    entries.map(([name, cpuMs], index) => [name, (cpuMs() - (before[index] ?? 0)) / seconds]),
  ) as Record<Name, number>;
}

/** A pass as the JSON report keeps it, with what it added over the direct pass of its round. */
export function passRecord(pass: MeasuredPass, direct?: OpenLoopResult) {
  return {
    sent: pass.sent,
    ok: pass.ok,
    errors: pass.errors,
    answered_per_s: round(pass.achievedPerS, 1),
    p50_ms: round(pass.p50Ms),
    p99_ms: round(pass.p99Ms),
    max_ms: round(pass.maxMs),
    ...(direct === undefined
      ? {}
      : { added_p50_ms: round(pass.p50Ms - direct.p50Ms), added_p99_ms: round(pass.p99Ms - direct.p99Ms) }),
    cpu_ms_per_request: round(pass.cpuMsPerRequest, 3),
    load_generator_cpu_ms_per_request: round(pass.loadGeneratorCpuMsPerRequest, 3),
  };
}
