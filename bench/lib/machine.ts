import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** What the numbers were measured on. */
export function machine(extra: Record<string, string> = {}): Record<string, string | number> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {}
  return { cpu, cores: cpus().length, node: process.version, ...extra };
}
