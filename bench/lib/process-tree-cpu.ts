/**
 * CPU time of processes as the kernel counts it, from /proc: what the sync figures charge to each
 * gateway. A gateway of several processes (imagegate split like compose runs it) and one that is
 * not ours (Portkey) are measured the same way, from outside, without asking them.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** Process group. */
  pgrp: number;
  /** Clock ticks of the process's own threads (user + system, threads that ended included). */
  ownTicks: number;
  /** Clock ticks of its children that ended and were waited for (and theirs, recursively). */
  reapedChildrenTicks: number;
}

/** Parses one /proc/<pid>/stat line (proc(5)). The command name may hold spaces and parentheses. */
export function parseProcStat(line: string): ProcStat {
  const close = line.lastIndexOf(')');
  const pid = Number.parseInt(line, 10);
  // After ") ": state(3) ppid(4) pgrp(5) … utime(14) stime(15) cutime(16) cstime(17).
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (number: number) => Number(fields[number - 3]);
  if (close < 0 || Number.isNaN(pid) || Number.isNaN(field(17))) throw new Error(`not a /proc stat line: ${line}`);
  return {
    pid,
    ppid: field(4),
    pgrp: field(5),
    ownTicks: field(14) + field(15),
    reapedChildrenTicks: field(16) + field(17),
  };
}

let ticksPerSecond: number | undefined;
/** USER_HZ: the unit of /proc's CPU times (100 on every Linux we run on; asked once). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
    ticksPerSecond = Number.isInteger(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

function readStat(pid: number | string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/** Every process now running, from /proc. */
function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(name))
    .filter((stat) => stat !== undefined);
}

/** The processes of the trees rooted at `roots` (the roots, their children, theirs…) that still run. */
export function processTree(roots: readonly number[], processes = allProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of processes) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const tree = processes.filter((stat) => roots.includes(stat.pid));
  const seen = new Set(tree.map((stat) => stat.pid));
  for (let index = 0; index < tree.length; index++) {
    for (const child of children.get(tree[index]?.pid ?? -1) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      tree.push(child);
    }
  }
  return tree;
}

/**
 * CPU ms (user + system, every thread) used so far by the trees rooted at `roots`: each running
 * process's own time plus that of its descendants that already ended (the kernel adds those to
 * the parent that waited for them). Sample before and after a pass; the difference is the pass's.
 * Throws when a root is not running: a gateway that died must not read as a cheap one.
 */
export function processTreeCpuMs(roots: readonly number[]): number {
  const tree = processTree(roots);
  for (const root of roots) {
    if (!tree.some((stat) => stat.pid === root)) throw new Error(`process ${root} is not running`);
  }
  const ticks = tree.reduce((sum, stat) => sum + stat.ownTicks + stat.reapedChildrenTicks, 0);
  return (ticks * 1000) / clockTicksPerSecond();
}

/**
 * CPU ms used so far by the threads of process `pid` alone: the load generator's own work, without
 * the hosts it forked (whose time joins its count when they end).
 */
export function processCpuMs(pid: number): number {
  const stat = readStat(pid);
  if (stat === undefined) throw new Error(`process ${pid} is not running`);
  return (stat.ownTicks * 1000) / clockTicksPerSecond();
}
