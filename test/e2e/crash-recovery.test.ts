import { createLogger } from '@imagegate/core';
import {
  loadWorkerConfig,
  type RunningProviderWorker,
  startProviderWorkerFromConfig,
} from '@imagegate/provider-worker';
import { createProviderQueue, type ProviderQueue } from '@imagegate/queue';
import { debitEntriesOf } from '@imagegate/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng, leftHalfMask } from '../support/edit-images.ts';
import { callJson, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

let stack: TestStack;
let caller: TestAccount;
let queue: ProviderQueue;
/** Workers a test started; closed after it. */
const running: RunningProviderWorker[] = [];
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  // Each test runs the provider workers it needs (in this process or as child processes).
  stack = await startTestStack({ providerWorker: false, env: { SETTLEMENT_SWEEP_INTERVAL_MS: '500' } });
  // Worker processes come and go here; ingress takes OpenAI jobs meanwhile, as it would from a
  // worker's heartbeat that has not yet lapsed.
  await stack.pretendServed('openai');
  caller = await stack.createAccount('crashes');
  queue = createProviderQueue('openai', {
    connection: stack.redis.redis,
    prefix: stack.redis.prefix,
    logger: createLogger({ level: 'silent' }),
  });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => worker.close()));
  await Promise.all(processes.splice(0).map((worker) => worker.kill('SIGKILL')));
});
afterAll(async () => {
  await queue?.close();
  await stack?.stop();
});

/** A provider worker in this process whose reconciler only sweeps when told to. */
async function startWorker(env: Record<string, string> = {}): Promise<RunningProviderWorker> {
  const worker = await startProviderWorkerFromConfig(
    loadWorkerConfig({ ...stack.env, RECONCILE_INTERVAL_MS: '3600000', RECONCILE_GRACE_S: '0', ...env }),
    createLogger({ level: 'silent' }),
  );
  running.push(worker);
  return worker;
}

/** The reconciler acts on an entry two sweeps find not live; the second sweep's report. */
async function sweepTwice(worker: RunningProviderWorker) {
  expect(await worker.reconciler.sweep()).toEqual({ reenqueued: 0, retried: 0, abandoned: 0 });
  return worker.reconciler.sweep();
}

async function startProcess(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = await spawnWorkerProcess({ ...stack.env, WORKER_PROVIDERS: 'openai', ...env });
  processes.push(worker);
  return worker;
}

async function submit(prompt: string): Promise<string> {
  const accepted = await callJson<{ id: string }>(`${stack.baseURL}/images/generations`, {
    apiKey: caller.apiKey,
    body: { model: 'gpt-image-2.6-flare', prompt, quality: 'low', size: '1024x1024' },
    headers: { prefer: 'respond-async' },
  });
  expect(accepted.status).toBe(202);
  return accepted.body.id;
}

/**
 * Moves the job's waiting queue entry to the failed set, as BullMQ does when its attempts ran out
 * on a database outage (written directly: no worker may run it first).
 */
async function failQueueEntry(jobId: string): Promise<void> {
  await stack.redis.redis
    .multi()
    .lrem(queue.toKey('wait'), 0, jobId)
    .zadd(queue.toKey('failed'), Date.now(), jobId)
    .hset(queue.toKey(jobId), 'failedReason', 'database unreachable', 'finishedOn', Date.now())
    .exec();
  expect(await queue.getJobState(jobId)).toBe('failed');
}

async function jobRow(jobId: string) {
  const { rows } = await stack.database.pool.query<{ status: string; attempts: number; charged_micros: bigint | null }>(
    'select status, attempts, charged_micros from jobs where id = $1',
    [jobId],
  );
  return rows[0];
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('reconciler', () => {
  it('re-enqueues a job whose queue entry Redis lost, under the same id, and it succeeds', async () => {
    const jobId = await submit('lost in a flush');
    await queue.obliterate({ force: true }); // Redis loses the entry; Postgres still says queued
    const worker = await startWorker();
    expect(await sweepTwice(worker)).toEqual({ reenqueued: 1, retried: 0, abandoned: 0 });
    expect((await pollJob(stack.url, caller.apiKey, jobId)).status).toBe('succeeded');
    // Once the job is finished nothing is left to repair.
    expect(await sweepTwice(worker)).toEqual({ reenqueued: 0, retried: 0, abandoned: 0 });
  });

  it('leaves alone a job younger than the grace (ingress may be about to enqueue it)', async () => {
    const jobId = await submit('just accepted');
    await queue.obliterate({ force: true });
    const young = await startWorker({ RECONCILE_GRACE_S: '3600' });
    expect(await sweepTwice(young)).toEqual({ reenqueued: 0, retried: 0, abandoned: 0 });
    expect((await jobRow(jobId))?.status).toBe('queued');
    const old = await startWorker();
    expect((await sweepTwice(old)).reenqueued).toBe(1);
    expect((await pollJob(stack.url, caller.apiKey, jobId)).status).toBe('succeeded');
  });

  it('puts back a job whose queue entry failed while Postgres says it is unfinished', async () => {
    const jobId = await submit('failed on an outage');
    await failQueueEntry(jobId);
    const worker = await startWorker();
    expect(await sweepTwice(worker)).toEqual({ reenqueued: 0, retried: 1, abandoned: 0 });
    expect((await pollJob(stack.url, caller.apiKey, jobId)).status).toBe('succeeded');
  });

  it('fails (for nothing) a job started too many times instead of putting it back again', async () => {
    const jobId = await submit('kills every worker');
    await failQueueEntry(jobId);
    await stack.database.pool.query("update jobs set status = 'in_progress', attempts = 10 where id = $1", [jobId]);
    const worker = await startWorker();
    expect(await sweepTwice(worker)).toEqual({ reenqueued: 0, retried: 0, abandoned: 1 });
    const job = await pollJob(stack.url, caller.apiKey, jobId);
    expect(job).toMatchObject({ status: 'failed', error: { type: 'server_error' } });
    await until(async () => (await jobRow(jobId))?.charged_micros === 0n, 5_000);
    expect(await debitEntriesOf(stack.database.pool, jobId)).toBe(0);
  });
});

describe('worker processes', () => {
  it('finishes the job of a SIGKILLed worker on another worker within 15 s, charging once', async () => {
    stack.emulator.resetStats();
    const first = await startProcess();
    const jobId = await submit('in flight when the worker dies [emulate:latency=2000]');
    await until(() => stack.emulator.stats().inFlight === 1, 5_000);
    const second = await startProcess();
    await first.kill('SIGKILL');
    const killedAt = Date.now();

    await until(() => stack.emulator.stats().calls === 2, 16_000); // the second worker called the upstream
    const pickupMs = Date.now() - killedAt;
    // Lock renewed every 4 s, gone ≤ 8 s after the kill, seen by a stalled check ≤ 4 s later.
    expect(pickupMs).toBeLessThan(15_000);
    expect((await pollJob(stack.url, caller.apiKey, jobId, 10_000)).status).toBe('succeeded');
    await until(async () => (await jobRow(jobId))?.charged_micros !== null, 5_000);
    expect(await debitEntriesOf(stack.database.pool, jobId)).toBe(1);
    expect((await jobRow(jobId))?.charged_micros).toBeGreaterThan(0n);
    expect(stack.emulator.stats().byStatus).toEqual({ aborted: 1, '200': 1 });
    expect(second.logs().some((line) => line.msg === 'worker error')).toBe(false);
  }, 40_000);

  it('finishes an edit of a SIGKILLed worker once, charged once, its inputs still readable', async () => {
    stack.emulator.resetStats();
    const first = await startProcess();
    const form = new FormData();
    form.append('image', new Blob([await gradientPng(256, 256)], { type: 'image/png' }), 'in.png');
    form.append('mask', new Blob([await leftHalfMask(256, 256)], { type: 'image/png' }), 'mask.png');
    // Long enough to outlast starting the second worker before the kill, on a busy machine too.
    form.append('prompt', 'an edit in flight when the worker dies [emulate:latency=6000]');
    form.append('model', 'gpt-image-2');
    form.append('quality', 'low');
    const accepted = await fetch(`${stack.baseURL}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.apiKey}`, prefer: 'respond-async' },
      body: form,
    });
    expect(accepted.status).toBe(202);
    const { id: jobId } = (await accepted.json()) as { id: string };
    await until(() => stack.emulator.stats().inFlight === 1, 5_000);
    await startProcess();
    await first.kill('SIGKILL');

    const job = await pollJob(stack.url, caller.apiKey, jobId, 25_000);
    expect(job).toMatchObject({ status: 'succeeded', operation: 'edit' });
    await until(async () => (await jobRow(jobId))?.charged_micros !== null, 5_000);
    expect(await debitEntriesOf(stack.database.pool, jobId)).toBe(1);
    expect(stack.emulator.stats().byStatus).toEqual({ aborted: 1, '200': 1 });
    const inputs = job.request as { images: { url: string }[]; mask: { url: string } };
    for (const url of [inputs.images[0]?.url, inputs.mask.url]) {
      expect((await fetch(url ?? '')).status).toBe(200);
    }
  }, 40_000);

  it('keeps a stream going when its worker is SIGKILLed: the client ends with the completed image, charged once', async () => {
    stack.emulator.resetStats();
    const first = await startProcess();
    const response = await fetch(`${stack.baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-image-2',
        prompt: 'streamed when the worker dies [emulate:latency=3000]',
        quality: 'low',
        stream: true,
        partial_images: 2,
      }),
    });
    const jobId = response.headers.get('x-imagegate-job-id') ?? '';
    const text = response.text();
    await until(() => stack.emulator.stats().inFlight === 1, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the first partial has gone out
    await startProcess();
    await first.kill('SIGKILL');

    const events = [...(await text).matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(events.at(-1)).toBe('image_generation.completed');
    expect(events.filter((event) => event === 'image_generation.completed')).toHaveLength(1);
    // Partials keep their numbering across the retry: 0 from the first worker, then 1, 2… from the second.
    const indexes = [...(await text).matchAll(/"partial_image_index":(\d+)/g)].map((match) => Number(match[1]));
    expect(indexes).toEqual(indexes.map((_, position) => position));
    await until(async () => (await jobRow(jobId))?.charged_micros !== null, 5_000);
    expect(await debitEntriesOf(stack.database.pool, jobId)).toBe(1);
  }, 40_000);

  it('lets the job in hand finish on SIGTERM, takes no new one, and exits 0', async () => {
    const worker = await startProcess();
    const inHand = await submit('in hand at SIGTERM [emulate:latency=1500]');
    await until(async () => (await jobRow(inHand))?.status === 'in_progress', 5_000);
    const exited = worker.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the worker is draining
    const next = await submit('submitted during the drain');

    expect((await exited).code).toBe(0);
    expect((await jobRow(inHand))?.status).toBe('succeeded');
    expect((await jobRow(next))?.status).toBe('queued');
    await startProcess();
    expect((await pollJob(stack.url, caller.apiKey, next, 10_000)).status).toBe('succeeded');
  }, 30_000);

  it('closes after SHUTDOWN_GRACE_MS when a job outlasts it, and another worker finishes the job', async () => {
    const worker = await startProcess({ SHUTDOWN_GRACE_MS: '300' });
    const jobId = await submit('outlasts the grace [emulate:latency=4000]');
    await until(async () => (await jobRow(jobId))?.status === 'in_progress', 5_000);
    const stoppedAt = Date.now();
    expect((await worker.kill('SIGTERM')).code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    expect((await jobRow(jobId))?.status).toBe('in_progress');

    await startProcess();
    expect((await pollJob(stack.url, caller.apiKey, jobId, 25_000)).status).toBe('succeeded');
    await until(async () => (await jobRow(jobId))?.charged_micros !== null, 5_000);
    expect(await debitEntriesOf(stack.database.pool, jobId)).toBe(1);
  }, 40_000);
});
