import { createLogger } from '@imagegate/core';
import { loadWorkerConfig, startProviderWorkerFromConfig } from '@imagegate/provider-worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callJson, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * An asynchronous upstream's task is recorded on the job as soon as it is accepted, so a job
 * redelivered after a worker crash polls that task instead of submitting (and paying for) another.
 */

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  // This stack's own worker leaves BFL jobs alone: the test plays the crashed delivery itself.
  stack = await startTestStack({ env: { WORKER_PROVIDERS: 'openai,google' }, bfl: { renderMs: 300 } });
  account = await stack.createAccount('upstream-tasks');
  await stack.pretendServed('bfl');
});
afterAll(async () => {
  await stack?.stop();
});

async function submitAsync(prompt: string): Promise<string> {
  const { status, body } = await callJson(`${stack.baseURL}/images/generations`, {
    apiKey: account.apiKey,
    headers: { prefer: 'respond-async' },
    body: { model: 'flux-2-pro', prompt, size: '1024x1024' },
  });
  expect(status).toBe(202);
  return String(body.id);
}

/** What an earlier delivery did before it died: submitted to BFL and recorded the task. */
async function taskSubmittedByEarlierDelivery(jobId: string, prompt: string): Promise<string> {
  const response = await fetch(`${stack.bfl.url}/v1/flux-2-pro`, {
    method: 'POST',
    headers: { 'x-key': stack.bfl.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, width: 1024, height: 1024 }),
  });
  const task = (await response.json()) as { id: string; polling_url: string };
  await stack.database.pool.query(`update jobs set upstream_tasks = jsonb_build_object('0', $2::jsonb) where id = $1`, [
    jobId,
    JSON.stringify({ id: task.id, pollingUrl: task.polling_url, submittedAt: Date.now() }),
  ]);
  return task.id;
}

it('a redelivered job polls the task it already has, submitting nothing new', async () => {
  const prompt = 'resume me';
  const jobId = await submitAsync(prompt);
  const taskId = await taskSubmittedByEarlierDelivery(jobId, prompt);
  const submitsBefore = stack.bfl.stats().submit.calls;

  const worker = await startProviderWorkerFromConfig(
    loadWorkerConfig({ ...stack.env, WORKER_PROVIDERS: 'bfl' }),
    createLogger({ level: 'silent' }),
  );
  try {
    const job = await pollJob(stack.url, account.apiKey, jobId);
    expect(job.status).toBe('succeeded');
    const stats = stack.bfl.stats();
    expect(stats.submit.calls).toBe(submitsBefore);
    expect(stats.tasks[taskId]?.polls).toBeGreaterThan(0);
    expect(stats.tasks[taskId]?.status).toBe('Ready');
    const { rows } = await stack.database.pool.query('select upstream_tasks, images from jobs where id = $1', [jobId]);
    expect(rows[0].images).toHaveLength(1);
    expect(rows[0].upstream_tasks['0'].id).toBe(taskId);
  } finally {
    await worker.close();
  }
});

it('a task that ended in Error is replaced by the retry, not polled again', async () => {
  const jobId = await submitAsync('fails first [emulate:failed]');
  stack.bfl.resetStats();
  const worker = await startProviderWorkerFromConfig(
    loadWorkerConfig({ ...stack.env, WORKER_PROVIDERS: 'bfl' }),
    createLogger({ level: 'silent' }),
  );
  try {
    const job = await pollJob(stack.url, account.apiKey, jobId, 30_000);
    // Every attempt's task ended in Error: each retry submitted a new one instead of re-polling the dead one.
    expect(job.status).toBe('failed');
    const attempts = (job.routing as { attempts: unknown[] }).attempts;
    expect(attempts.length).toBeGreaterThan(1);
    expect(stack.bfl.stats().submit.calls).toBe(attempts.length);
  } finally {
    await worker.close();
  }
});
