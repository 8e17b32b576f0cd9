import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.ts';

/** A flush that records its batches and answers each item with its double (odd items fail when asked). */
function recordingFlush(options: { failOdd?: boolean } = {}) {
  const batches: number[][] = [];
  const flush = async (items: number[]): Promise<PromiseSettledResult<number>[]> => {
    batches.push(items);
    return items.map((item) =>
      options.failOdd && item % 2 === 1
        ? { status: 'rejected', reason: new Error(`item ${item} failed`) }
        : { status: 'fulfilled', value: item * 2 },
    );
  };
  return { batches, flush };
}

describe('MicroBatcher', () => {
  it('sends a batch as soon as it is full, without waiting for the timer', async () => {
    const { batches, flush } = recordingFlush();
    const batcher = new MicroBatcher(flush, { maxItems: 3, maxWaitMs: 60_000 });

    const results = await Promise.all([1, 2, 3].map((item) => batcher.submit(item)));

    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('sends a partial batch once maxWaitMs has passed', async () => {
    const { batches, flush } = recordingFlush();
    const batcher = new MicroBatcher(flush, { maxItems: 100, maxWaitMs: 5 });

    const results = await Promise.all([batcher.submit(1), batcher.submit(2)]);

    expect(results).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('splits items beyond maxItems into the next batch', async () => {
    const { batches, flush } = recordingFlush();
    const batcher = new MicroBatcher(flush, { maxItems: 2, maxWaitMs: 1 });

    await Promise.all([1, 2, 3, 4, 5].map((item) => batcher.submit(item)));

    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails only the caller whose item failed when the rest of the batch succeeded', async () => {
    const { flush } = recordingFlush({ failOdd: true });
    const batcher = new MicroBatcher(flush, { maxItems: 3, maxWaitMs: 1 });

    const results = await Promise.allSettled([1, 2, 4].map((item) => batcher.submit(item)));

    expect(results).toEqual([
      { status: 'rejected', reason: new Error('item 1 failed') },
      { status: 'fulfilled', value: 4 },
      { status: 'fulfilled', value: 8 },
    ]);
  });

  it('fails every caller of a batch when the flush throws', async () => {
    const batcher = new MicroBatcher<number, number>(
      async () => {
        throw new Error('database gone');
      },
      { maxItems: 2, maxWaitMs: 1 },
    );

    const results = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);

    expect(results).toEqual([
      { status: 'rejected', reason: new Error('database gone') },
      { status: 'rejected', reason: new Error('database gone') },
    ]);
  });

  it('sends what is waiting and waits for it when drained', async () => {
    const { batches, flush } = recordingFlush();
    const batcher = new MicroBatcher(flush, { maxItems: 100, maxWaitMs: 60_000 });
    const pending = batcher.submit(7);

    await batcher.drain();

    expect(batches).toEqual([[7]]);
    await expect(pending).resolves.toBe(14);
  });
});
