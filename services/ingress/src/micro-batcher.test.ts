import { describe, expect, it } from 'vitest';
import { type ItemOutcome, MicroBatcher } from './micro-batcher.ts';

/** A batcher whose runs are recorded and finish when the test says so. */
function recordingBatcher(options: { maxBatch?: number; maxInFlight?: number } = {}) {
  const runs: number[][] = [];
  const finish: (() => void)[] = [];
  const batcher = new MicroBatcher<number, number>(async (items) => {
    runs.push(items);
    await new Promise<void>((resolve) => finish.push(resolve));
    return items.map((item): ItemOutcome<number> => ({ ok: true, value: item * 10 }));
  }, options);
  return { batcher, runs, finish };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('runs the items added in one turn of the event loop as one batch, in order', async () => {
    const { batcher, runs, finish } = recordingBatcher();
    const results = Promise.all([1, 2, 3].map((item) => batcher.add(item)));
    await nextTurn();
    expect(runs).toEqual([[1, 2, 3]]);
    for (const done of finish) done();
    expect(await results).toEqual([10, 20, 30]);
  });

  it('splits a turn into batches of at most maxBatch', async () => {
    const { batcher, runs, finish } = recordingBatcher({ maxBatch: 2, maxInFlight: 8 });
    const results = Promise.all([1, 2, 3, 4, 5].map((item) => batcher.add(item)));
    await nextTurn();
    expect(runs).toEqual([[1, 2], [3, 4], [5]]);
    for (const done of finish) done();
    expect(await results).toEqual([10, 20, 30, 40, 50]);
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

  it('rejects only the items whose outcome is an error', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) =>
      items.map(
        (item): ItemOutcome<number> =>
          item % 2 === 0 ? { ok: false, error: new Error(`refused ${item}`) } : { ok: true, value: item },
      ),
    );
    const settled = await Promise.allSettled([1, 2, 3].map((item) => batcher.add(item)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('refused 2') },
      { status: 'fulfilled', value: 3 },
    ]);
  });

  it('rejects every item of a batch whose run throws, and runs the next batch normally', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('connection lost');
      return items.map((item): ItemOutcome<number> => ({ ok: true, value: item }));
    });
    const settled = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.add(3)).toBe(3);
  });
});
