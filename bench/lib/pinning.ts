import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * Whether processes can be pinned to cores here: `taskset` works, there are at least two cores, and
 * `BENCH_NO_PIN` is unset. docs/benchmarks.md: imagegate on CPU 0, everything else on CPU 1.
 */
export function pinningAvailable(): boolean {
  if (process.env.BENCH_NO_PIN !== undefined || cpus().length < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

/** Pins every thread of `pid` to `cpu`; returns whether it worked. */
export function pin(pid: number, cpu: number): boolean {
  return spawnSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' }).status === 0;
}

/**
 * The sentence the JSON output carries about pinning. The machine's own Postgres and Redis are
 * shared with other work and are never pinned by the harness.
 */
export function pinningNote(applied: boolean, onOtherCore = 'the load generator', onGatewayCore = 'imagegate'): string {
  return applied
    ? `applied with taskset: ${onGatewayCore} on cpu 0, ${onOtherCore} on cpu 1; Postgres and Redis not pinned`
    : 'not applied (taskset unavailable, fewer than 2 cores, or BENCH_NO_PIN set)';
}
