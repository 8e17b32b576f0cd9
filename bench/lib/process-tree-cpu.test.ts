import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProcStat, processCpuMs, processTree, processTreeCpuMs } from './process-tree-cpu.ts';

/** Node code that uses `ms` of CPU time (not wall time: the machine may be busy), then says so. */
const spin = (ms: number) => `while (process.cpuUsage().user < ${ms * 1000}); console.log('spun');`;

/**
 * A parent that starts a child spinning `ms` of CPU and stays idle itself; it prints `spun` when
 * the child has, and on `reap` on its stdin ends the child, waits for it, and prints `reaped`.
 */
const PARENT = (ms: number) => `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', ${JSON.stringify(`${spin(ms)} setInterval(() => {}, 1e6);`)}]);
child.stdout.on('data', () => console.log('spun'));
child.on('exit', () => console.log('reaped'));
process.stdin.on('data', () => child.kill());
setInterval(() => {}, 1e6);
`;

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
});

const output = new Map<ChildProcess, string>();

function start(code: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  started.push(child);
  output.set(child, '');
  child.stdout?.on('data', (chunk: Buffer) => output.set(child, `${output.get(child)}${chunk}`));
  return child;
}

/** Waits until `child` has printed `expected`. */
async function line(child: ChildProcess, expected: string): Promise<void> {
  while (!output.get(child)?.includes(expected)) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('parseProcStat', () => {
  it('reads the fields after a command name holding spaces and parentheses', () => {
    const line = '4242 (node (a) b) S 17 4242 4242 0 -1 4194560 1 0 0 0 120 30 7 3 20 0 11 0 1 1 1';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 17, pgrp: 4242, ownTicks: 150, reapedChildrenTicks: 10 });
  });

  it('rejects what is not a stat line', () => {
    expect(() => parseProcStat('no such thing')).toThrow(/not a \/proc stat line/);
  });
});

describe('processTreeCpuMs', () => {
  it("charges a child's CPU to its parent's tree while it runs and after it was reaped, and nobody else's", async () => {
    const parent = start(PARENT(600));
    const parentPid = parent.pid ?? 0;
    await line(parent, 'spun');
    const child = processTree([parentPid]).find((stat) => stat.ppid === parentPid);
    expect(child, 'the parent has its child in its tree').toBeDefined();
    const whileRunning = processTreeCpuMs([parentPid]);
    expect(whileRunning).toBeGreaterThanOrEqual(600);
    // The parent itself only waited: its own time is its start-up, far below the child's.
    expect(processCpuMs(parentPid)).toBeLessThan(whileRunning - 400);

    // Another process spinning beside the tree is not charged to it.
    const bystander = start(`${spin(400)} setInterval(() => {}, 1e6);`);
    await line(bystander, 'spun');
    expect(processTreeCpuMs([parentPid]) - whileRunning).toBeLessThan(200);
    expect(processTreeCpuMs([parentPid, bystander.pid ?? 0])).toBeGreaterThanOrEqual(whileRunning + 400);

    // Once the child ended and was waited for, the kernel keeps its time with the parent.
    parent.stdin?.write('reap\n');
    await line(parent, 'reaped');
    expect(processTree([parentPid]).map((stat) => stat.pid)).toEqual([parentPid]);
    expect(processTreeCpuMs([parentPid])).toBeGreaterThanOrEqual(whileRunning);
  });

  it('throws when a root is not running, rather than reading as free', async () => {
    const gone = start('');
    await once(gone, 'exit');
    expect(() => processTreeCpuMs([gone.pid ?? 0])).toThrow(/is not running/);
    expect(() => processCpuMs(gone.pid ?? 0)).toThrow(/is not running/);
  });
});
