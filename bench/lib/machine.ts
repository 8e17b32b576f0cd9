import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The CPU model (from /proc/cpuinfo where there is one) and the number of cores. */
export function cpuModel(): { cpu: string; cores: number } {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {}
  return { cpu, cores: cpus().length };
}

/** CPU time (user + system, every thread) this process has used, in ms: other work on the core does not inflate it. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
