import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodeOf } from '@imagegate/core';

/** True while a process with this pid exists (including one owned by another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCodeOf(err) === 'EPERM';
  }
}

/** Polls until `pid` is gone; throws after `timeoutMs` (ms). */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
    await sleep(25);
  }
}
