import { describe, expect, it } from 'vitest';
import type { FaultOutcome } from '../faults/fault-types.ts';
import type { BflTask } from './task-store.ts';
import { TaskStore, taskStatus } from './task-store.ts';

function task(outcome: FaultOutcome, id = 'a'): BflTask {
  const request = {
    model: 'flux-2-pro',
    prompt: 'x',
    width: 64,
    height: 64,
    format: 'jpeg',
    seed: 1,
    inputImages: 0,
  } as const;
  return { id, request, outcome, submittedAtMs: 1_000, readyAtMs: 2_000 };
}

describe('taskStatus', () => {
  it.each<[FaultOutcome, string, string]>([
    [{ type: 'ok' }, 'Pending', 'Ready'],
    [{ type: 'moderation' }, 'Request Moderated', 'Request Moderated'],
    [{ type: 'filtered' }, 'Pending', 'Content Moderated'],
    [{ type: 'filtered', images: 1 }, 'Pending', 'Ready'],
    [{ type: 'failed' }, 'Pending', 'Error'],
    [{ type: 'partial', images: 0 }, 'Pending', 'Error'],
    [{ type: 'partial', images: 2 }, 'Pending', 'Ready'],
    [{ type: 'hang' }, 'Pending', 'Pending'],
  ])('moves %j from %s before the render time to %s after it', (outcome, before, after) => {
    expect(taskStatus(task(outcome), 1_999)).toBe(before);
    expect(taskStatus(task(outcome), 2_000)).toBe(after);
  });
});

describe('TaskStore', () => {
  it('reports Task not found when the id is unknown and the live status when it is known', () => {
    const store = new TaskStore();
    store.add(task({ type: 'ok' }, 'known'));
    expect(store.statusOf('unknown', 5_000)).toBe('Task not found');
    expect(store.statusOf('known', 5_000)).toBe('Ready');
  });
});
