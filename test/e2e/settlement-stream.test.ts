import { createLogger } from '@imagegate/core';
import {
  createSettlementStream,
  enqueueSettlement,
  readSettlementStreamStats,
  SETTLEMENT_GROUP,
  type SettlementStream,
  settlementFields,
} from '@imagegate/queue';
import {
  forgetGoneConsumers,
  type RunningSettlementWorker,
  type SettlementFaults,
  settleJobs,
  startSettlementWorker,
} from '@imagegate/settlement-worker';
import {
  createTestDatabase,
  createTestRedis,
  debitEntriesOf,
  expectSettledExactly,
  type SeededJob,
  seedAccounts,
  seedJobs,
  succeededJobs,
  type TestDatabase,
  type TestRedis,
  waitForSettlements,
} from '@imagegate/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The settlement stream's guarantees: each entry's job settled once, whatever fails or stops between
// the commit and the acknowledgement. Each test has its own stream (prefix) and workers.
let database: TestDatabase;
let redis: TestRedis;
let stream: SettlementStream;
let prefix: string;
let testIndex = 0;
const running: RunningSettlementWorker[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis?.cleanup();
  await database?.drop();
});
beforeEach(async () => {
  await database.pool.query('truncate ledger_entries, account_daily_spend, jobs, api_keys, accounts cascade');
  prefix = `${redis.prefix}-${testIndex++}`;
  stream = createSettlementStream({ connection: redis.redis, prefix });
});
afterEach(async () => {
  for (const worker of running.splice(0)) await worker.close();
});

async function startWorker(
  options: { faults?: SettlementFaults; consumer?: string; staleIdleMs?: number; batchSize?: number } = {},
) {
  const worker = await startSettlementWorker({
    pool: database.pool,
    redis: redis.redis,
    logger: createLogger({ level: 'silent' }),
    faults: options.faults,
    settings: {
      redisPrefix: prefix,
      batchSize: options.batchSize ?? 50,
      batchWaitMs: 5,
      sweepIntervalMs: 3_600_000,
      consumer: options.consumer,
      staleIdleMs: options.staleIdleMs,
    },
  });
  running.push(worker);
  return worker;
}

async function seed(count: number): Promise<SeededJob[]> {
  const accounts = await seedAccounts(database.pool, 5);
  const jobs = succeededJobs(count, accounts);
  await seedJobs(database.pool, jobs);
  return jobs;
}

async function enqueue(jobs: readonly SeededJob[]): Promise<void> {
  const pipeline = redis.redis.pipeline();
  for (const job of jobs) pipeline.xadd(stream.key, '*', ...settlementFields(job.id));
  await pipeline.exec();
}

/** Waits until the stream holds no entry (each acknowledged and deleted). */
async function waitForEmptyStream(timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await redis.redis.xlen(stream.key)) > 0) {
    if (Date.now() > deadline) throw new Error(`stream still holds ${await redis.redis.xlen(stream.key)} entries`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function pendingCount(): Promise<number> {
  const [count] = (await redis.redis.xpending(stream.key, SETTLEMENT_GROUP)) as [number];
  return count;
}

describe('settlement stream', () => {
  it('settles entries for 500 jobs exactly once each, acknowledging and deleting them', async () => {
    const jobs = await seed(500);
    const worker = await startWorker();
    let acknowledged = 0;
    worker.reader.on('acknowledged', (jobIds) => {
      acknowledged += jobIds.length;
    });
    await enqueue(jobs);
    await enqueue(jobs.slice(0, 50)); // a job asked twice still settles once

    await waitForEmptyStream();
    await waitForSettlements(database.pool);
    await expectSettledExactly(database.pool, jobs);
    expect(acknowledged).toBe(550);
    expect(await pendingCount()).toBe(0);
  });

  it('redelivers an entry whose acknowledgement a fault after the commit prevented, and charges once', async () => {
    const jobs = await seed(100);
    const crashAfterCommit = new Set(jobs.slice(0, 10).map((job) => job.id));
    const worker = await startWorker({
      faults: {
        afterCommit: (jobId) => {
          if (crashAfterCommit.delete(jobId)) throw new Error('crash after commit, before acknowledgement');
        },
      },
    });
    const failed: string[] = [];
    worker.reader.on('failed', (jobId) => failed.push(jobId));
    await enqueue(jobs);

    await waitForEmptyStream();
    expect(crashAfterCommit.size).toBe(0); // the faults really happened
    expect(failed.sort()).toEqual(jobs.slice(0, 10).map((job) => job.id));
    await expectSettledExactly(database.pool, jobs);
    for (const job of jobs.slice(0, 10)) expect(await debitEntriesOf(database.pool, job.id)).toBe(1);
  });

  it('takes back entries a crashed worker settled but never acknowledged: its own on restart, or another’s once idle', async () => {
    const jobs = await seed(200);
    const [ownJobs, othersJobs] = [jobs.slice(0, 100), jobs.slice(100)];
    // A worker that read its entries and committed their settlement, then died before acknowledging.
    const probe = await startWorker({ consumer: 'probe' }); // creates the group
    await probe.close();
    running.splice(0);
    for (const [consumer, batch] of [
      ['crashed', ownJobs],
      ['gone-for-good', othersJobs],
    ] as const) {
      await enqueue(batch);
      const reply = (await redis.redis.xreadgroup(
        'GROUP',
        SETTLEMENT_GROUP,
        consumer,
        'COUNT',
        batch.length,
        'STREAMS',
        stream.key,
        '>',
      )) as [string, [string, string[]][]][];
      expect(reply[0]?.[1].length).toBe(batch.length);
      await settleJobs(
        database.pool,
        batch.map((job) => job.id),
      );
    }
    await expectSettledExactly(database.pool, jobs);
    expect(await pendingCount()).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 600)); // past the first retry's backoff

    // The crashed worker restarts under its name: it takes back its own pending entries at once,
    // and the other dead consumer's once they are idle for `staleIdleMs`.
    await startWorker({ consumer: 'crashed', staleIdleMs: 1_500 });
    await waitForEmptyStream();
    expect(await pendingCount()).toBe(0);
    await expectSettledExactly(database.pool, jobs); // redelivered, charged nothing twice
  });

  it('drops a pending entry whose delete landed without its acknowledgement', async () => {
    const jobs = await seed(1);
    const probe = await startWorker({ consumer: 'probe' }); // creates the group
    await probe.close();
    running.splice(0);
    await enqueue(jobs);
    const reply = (await redis.redis.xreadgroup(
      'GROUP',
      SETTLEMENT_GROUP,
      'half-acked',
      'COUNT',
      1,
      'STREAMS',
      stream.key,
      '>',
    )) as [string, [string, string[]][]][];
    await redis.redis.xdel(stream.key, reply[0]?.[1][0]?.[0] ?? '');
    expect(await pendingCount()).toBe(1);

    await startWorker({ consumer: 'half-acked' });
    const deadline = Date.now() + 5_000;
    while ((await pendingCount()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await pendingCount()).toBe(0);
  });

  it('retries a job whose settlement throws until it settles', async () => {
    const jobs = await seed(20);
    const flaky = jobs[3]?.id ?? '';
    let throwsLeft = 2;
    const worker = await startWorker({
      faults: {
        beforeWrite: (jobId) => {
          if (jobId === flaky && throwsLeft-- > 0) throw new Error('settlement of this job fails for a while');
        },
      },
    });
    const failed: string[] = [];
    worker.reader.on('failed', (jobId) => failed.push(jobId));
    await enqueue(jobs);

    await waitForEmptyStream();
    expect(failed).toEqual([flaky, flaky]);
    await expectSettledExactly(database.pool, jobs);
  });

  it('loses nothing when closed mid-drain: what it took is settled and acknowledged, the rest waits', async () => {
    const jobs = await seed(3_000);
    await enqueue(jobs);
    const first = await startWorker({ batchSize: 100 });
    await new Promise<void>((resolve) => first.reader.once('acknowledged', () => resolve()));
    await first.close();
    running.splice(0);

    expect(await pendingCount()).toBe(0); // nothing taken was left unacknowledged
    const left = await redis.redis.xlen(stream.key);
    const { rows } = await database.pool.query<{ n: number }>(
      'select count(*)::int as n from jobs where settled_at is null',
    );
    expect(rows[0]?.n).toBe(left); // what left the stream is settled, what stayed is not
    expect(left).toBeGreaterThan(0);
    expect((await readSettlementStreamStats(stream)).waiting).toBe(left);

    await startWorker({ batchSize: 100 });
    await waitForEmptyStream();
    await expectSettledExactly(database.pool, jobs);
  });

  it('adds an entry per ending with enqueueSettlement, readable by the worker', async () => {
    const jobs = await seed(3);
    for (const job of jobs) await enqueueSettlement(stream, job.id);
    expect(await redis.redis.xlen(stream.key)).toBe(3);
    await startWorker();
    await waitForEmptyStream();
    await expectSettledExactly(database.pool, jobs);
  });

  it('forgets consumers long gone with nothing pending, and keeps one with pending entries', async () => {
    const jobs = await seed(3);
    const probe = await startWorker({ consumer: 'probe' }); // creates the group
    await probe.close();
    running.splice(0);
    await enqueue(jobs);
    await redis.redis.xreadgroup('GROUP', SETTLEMENT_GROUP, 'holds-entries', 'COUNT', 2, 'STREAMS', stream.key, '>');
    const read = (await redis.redis.xreadgroup(
      'GROUP',
      SETTLEMENT_GROUP,
      'acked-all',
      'COUNT',
      1,
      'STREAMS',
      stream.key,
      '>',
    )) as [string, [string, string[]][]][];
    await redis.redis.xack(stream.key, SETTLEMENT_GROUP, read[0]?.[1][0]?.[0] ?? '');

    expect(await forgetGoneConsumers(redis.redis, stream.key, 0)).toEqual(['acked-all']);
    const left = (await redis.redis.xinfo('CONSUMERS', stream.key, SETTLEMENT_GROUP)) as unknown[][];
    expect(left.map((fields) => fields[1])).toEqual(['holds-entries']);
    expect(await pendingCount()).toBe(2);
  });
});
