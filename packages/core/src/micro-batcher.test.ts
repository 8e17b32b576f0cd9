import { describe, expect, it } from 'vitest';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.ts';

/** A batcher whose runs are recorded and finish when the test says so; each item answers ×10. */
function recordingBatcher(options: MicroBatcherOptions = {}) {
  const runs: number[][] = [];
  const finish: (() => void)[] = [];
  const batcher = new MicroBatcher<number, number>(async (items) => {
    runs.push(items);
    await new Promise<void>((resolve) => finish.push(resolve));
    return items.map((item) => ({ status: 'fulfilled', value: item * 10 }));
  }, options);
  const finishAll = () => {
    for (const done of finish.splice(0)) done();
  };
  return { batcher, runs, finishAll, finish };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('runs the items added in one turn of the event loop as one batch, in order', async () => {
    const { batcher, runs, finishAll } = recordingBatcher();
    const results = Promise.all([1, 2, 3].map((item) => batcher.add(item)));
    await nextTurn();
    expect(runs).toEqual([[1, 2, 3]]);
    finishAll();
    expect(await results).toEqual([10, 20, 30]);
  });

  it('splits a turn into batches of at most maxItems', async () => {
    const { batcher, runs, finishAll } = recordingBatcher({ maxItems: 2, maxInFlight: 8 });
    const results = Promise.all([1, 2, 3, 4, 5].map((item) => batcher.add(item)));
    await nextTurn();
    expect(runs).toEqual([[1, 2], [3, 4], [5]]);
    finishAll();
    expect(await results).toEqual([10, 20, 30, 40, 50]);
  });

  it('sends a full batch at once, and a partial one only after maxWaitMs', async () => {
    const { batcher, runs, finishAll } = recordingBatcher({ maxItems: 3, maxWaitMs: 40 });
    const full = Promise.all([1, 2, 3].map((item) => batcher.add(item)));
    expect(runs).toEqual([[1, 2, 3]]);
    const partial = batcher.add(4);
    await nextTurn();
    expect(runs).toEqual([[1, 2, 3]]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toEqual([[1, 2, 3], [4]]);
    finishAll();
    expect(await full).toEqual([10, 20, 30]);
    expect(await partial).toBe(40);
  });

  it('gathers items added while maxInFlight runs are under way into the next batch', async () => {
    const { batcher, runs, finish } = recordingBatcher({ maxInFlight: 1 });
    const first = batcher.add(1);
    await nextTurn();
    const later = Promise.all([batcher.add(2), batcher.add(3)]);
    await nextTurn();
    await nextTurn();
    expect(runs).toEqual([[1]]);
    finish[0]?.();
    expect(await first).toBe(10);
    await nextTurn();
    await nextTurn();
    expect(runs).toEqual([[1], [2, 3]]);
    finish[1]?.();
    expect(await later).toEqual([20, 30]);
  });

  it('rejects only the items whose result is rejected', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) =>
      items.map((item) =>
        item % 2 === 0
          ? { status: 'rejected', reason: new Error(`refused ${item}`) }
          : { status: 'fulfilled', value: item },
      ),
    );
    const settled = await Promise.allSettled([1, 2, 3].map((item) => batcher.add(item)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('refused 2') },
      { status: 'fulfilled', value: 3 },
    ]);
  });

  it('rejects every item of a batch whose run throws or miscounts, and runs the next batch normally', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('connection lost');
      if (calls === 2) return [];
      return items.map((item) => ({ status: 'fulfilled', value: item }));
    });
    const lost = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(lost).toEqual([
      { status: 'rejected', reason: new Error('connection lost') },
      { status: 'rejected', reason: new Error('connection lost') },
    ]);
    await expect(batcher.add(3)).rejects.toThrow('a batch of 1 came back with 0 results');
    expect(await batcher.add(4)).toBe(4);
  });

  it('sends what is waiting when drained, past maxInFlight, and waits for every batch', async () => {
    const { batcher, runs, finishAll } = recordingBatcher({ maxItems: 100, maxWaitMs: 60_000, maxInFlight: 1 });
    const first = batcher.add(7);
    const drained = batcher.drain();
    const second = batcher.add(8);
    const done = Promise.all([drained, first, second]);
    await nextTurn();
    finishAll();
    await nextTurn();
    finishAll();
    await done;
    expect(runs).toEqual([[7], [8]]);
    expect(await first).toBe(70);
    expect(await second).toBe(80);
  });
});
