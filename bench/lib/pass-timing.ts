/**
 * Timing of one benchmark pass: wall time, this process's CPU and how busy the machine was.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface PassOutcome {
  /** Jobs the pass took: all of them, or those it got to before the time budget ran out. */
  taken: ReadonlySet<string>;
  budgetHit: boolean;
  errors: number;
  firstError: string | undefined;
  /** When the work ended (performance.now()), if before `run` returned (cleanup not timed). */
  finishedAt?: number | undefined;
}

export interface PassResult extends PassOutcome {
  perSecond: number;
  seconds: number;
  /** CPU this (Node) process spent per job, in µs. */
  clientCpuUsPerJob: number;
  /** How busy the whole machine was during the pass (all processes, all cores), in %. */
  machineBusyPct: number;
}

/** Busy and total jiffies of all cores, from /proc/stat (zeros where there is none). */
function cpuTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Runs one timed pass; `run` gets the deadline (performance.now() ms) after which it takes no new job. */
export async function timed(run: (deadline: number) => Promise<PassOutcome>, budgetS: number): Promise<PassResult> {
  const ticks = cpuTicks();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome = await run(started + budgetS * 1000);
  const seconds = ((outcome.finishedAt ?? performance.now()) - started) / 1000;
  const used = process.cpuUsage(cpu);
  const after = cpuTicks();
  const total = after.total - ticks.total;
  const jobs = Math.max(outcome.taken.size, 1);
  return {
    ...outcome,
    perSecond: outcome.taken.size / seconds,
    seconds,
    clientCpuUsPerJob: (used.user + used.system) / jobs,
    machineBusyPct: total > 0 ? (100 * (after.busy - ticks.busy)) / total : Number.NaN,
  };
}

/** What a pass is given: the scratch database and Redis, the jobs in id order, the time budget. */
export interface PassContext {
  databaseUrl: string;
  redisUrl: string;
  ids: readonly string[];
  budgetS: number;
}

export type Pass = (context: PassContext) => Promise<PassResult>;
