import { readFileSync, writeFileSync } from 'node:fs';

/** Resets the kernel's peak-RSS mark (VmHWM) of `pid` to its current RSS (Linux ≥ 4.0). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** VmHWM of `pid` in bytes: the highest RSS since start or since `resetPeakRss`. */
export function peakRssBytes(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(match[1]) * 1024;
}
