import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmulatorStats, mostCallsWithin, type ScriptedFault } from '@imagegate/emulators';
import { workerHeartbeatKey } from '@imagegate/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * Per-provider limits, counted where it matters: at the upstream, which records when each call
 * arrived. The OpenAI emulator runs in a process of its own, as a real upstream would: inside the
 * test process its arrival times would carry this process's event-loop delay. OpenAI is limited to
 * R calls per second; BFL has no worker here and a queue bound of 3, for backpressure.
 */
const R = 10;
let stack: TestStack;
let account: TestAccount;
let emulatorProcess: ChildProcess;
let upstream: string;

const emulator = {
  async enqueue(...script: ScriptedFault[]): Promise<void> {
    await fetch(`${upstream}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ script }) });
  },
  async stats(): Promise<EmulatorStats> {
    return (await fetch(`${upstream}/__emulator/stats`)).json() as Promise<EmulatorStats>;
  },
  async resetStats(): Promise<void> {
    await fetch(`${upstream}/__emulator/stats`, { method: 'DELETE' });
  },
};

beforeAll(async () => {
  emulatorProcess = spawn(
    process.execPath,
    [new URL('../../packages/emulators/src/main.ts', import.meta.url).pathname, '--provider', 'openai', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const [line] = (await once(emulatorProcess.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const url = line.toString('utf8').trim();
  upstream = url.replace(/\/v1$/, '');
  stack = await startTestStack({
    env: {
      PROVIDER_LIMITS: `openai=${R}rps/${R},bfl=100rps/5/3`,
      WORKER_PROVIDERS: 'openai,google',
      OPENAI_BASE_URL: url,
      OPENAI_API_KEY: 'sk-emulator',
    },
  });
  account = await stack.createAccount('limits', 100);
});
afterAll(async () => {
  await stack?.stop();
  emulatorProcess?.kill('SIGTERM');
});

async function submitAsync(prompt: string, model = 'gpt-image-2.6-flare') {
  return callJson<{ id: string; status: string; queue_position: number | null; estimated_start_at: number | null }>(
    `${stack.baseURL}/images/generations`,
    { apiKey: account.apiKey, headers: { prefer: 'respond-async' }, body: { model, prompt } },
  );
}

/** The jobs' statuses once none is queued or running (or after 30 s). */
async function statusesWhenDone(ids: string[]): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await stack.database.pool.query<{ id: string; status: string }>(
      'select id, status from jobs where id = any($1)',
      [ids],
    );
    const done = rows.every((row) => ['succeeded', 'failed', 'canceled'].includes(row.status));
    if (done || Date.now() > deadline) return ids.map((id) => rows.find((row) => row.id === id)?.status ?? 'missing');
    await sleep(250);
  }
}

describe('rate limit', () => {
  it(`never lets more than ${R} calls into a sliding second while a backlog drains at ≥ 95 % of ${R}/s`, async () => {
    await emulator.resetStats();
    const jobs = 4 * R;
    const submitted = await Promise.all(Array.from({ length: jobs }, (_, index) => submitAsync(`backlog ${index}`)));
    expect(submitted.every((response) => response.status === 202)).toBe(true);
    // The last job waits behind the others, and says when it should start.
    const last = await callJson<{ status: string; queue_position: number; estimated_start_at: number }>(
      `${stack.baseURL}/images/jobs/${submitted.at(-1)?.body.id}`,
      { apiKey: account.apiKey },
    );
    if (last.body.status === 'queued') {
      expect(last.body.queue_position).toBeGreaterThan(0);
      expect(last.body.estimated_start_at).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    }
    // One light query for all of them: 40 clients polling would load the very process being timed.
    expect(await statusesWhenDone(submitted.map((response) => response.body.id))).toEqual(
      Array(jobs).fill('succeeded'),
    );

    const times = (await emulator.stats()).callTimes;
    expect(times).toHaveLength(jobs);
    expect(mostCallsWithin(times)).toBeLessThanOrEqual(R);
    // Calls go out evenly paced: N calls are N − 1 intervals.
    const achieved = ((jobs - 1) * 1_000) / (Math.max(...times) - Math.min(...times));
    expect(achieved).toBeGreaterThanOrEqual(0.95 * R);
  });

  it('after a 429 with Retry-After: 2, no call reaches the provider for 2 s, and the job still succeeds', async () => {
    await sleep(1_100); // an empty window
    await emulator.resetStats();
    await emulator.enqueue({ type: 'rate_limit', retryAfterS: 2 });
    const first = await submitAsync('meets the 429');
    // More work arrives while the provider is paused; it waits too.
    await sleep(300);
    const more = await Promise.all([1, 2, 3].map((index) => submitAsync(`after the 429 ${index}`)));
    const all = await Promise.all(
      [first, ...more].map((response) => pollJob(stack.url, account.apiKey, response.body.id, 30_000)),
    );
    expect(all.map((job) => job.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const [limited, ...rest] = (await emulator.stats()).callTimes;
    expect(rest).toHaveLength(4);
    for (const time of rest) expect(time - (limited as number)).toBeGreaterThanOrEqual(2_000);
    const routing = (all[0] as { routing: { attempts: { status: string; error_code: string }[] } }).routing;
    expect(routing.attempts.map((attempt) => attempt.status)).toEqual(['rate_limited', 'succeeded']);
  });

  it('Retry-After pauses do not spend retry attempts: four 429s in a row, then success', async () => {
    await sleep(1_100);
    await emulator.enqueue(
      { type: 'rate_limit', retryAfterS: 1 },
      { type: 'rate_limit', retryAfterS: 1 },
      { type: 'rate_limit', retryAfterS: 1 },
      { type: 'rate_limit', retryAfterS: 1 },
    );
    const response = await submitAsync('patient');
    const job = (await pollJob(stack.url, account.apiKey, response.body.id, 30_000)) as {
      status: string;
      routing: { attempts: { status: string }[] };
    };
    expect(job.status).toBe('succeeded');
    expect(job.routing.attempts.map((attempt) => attempt.status)).toEqual([
      'rate_limited',
      'rate_limited',
      'rate_limited',
      'rate_limited',
      'succeeded',
    ]);
  });
});

describe('backpressure', () => {
  it('answers 503 provider_unavailable, holding nothing, when no worker serves the provider', async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'flux-2-pro', prompt: 'nobody home' },
    });
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('provider_unavailable');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers a fast 503 overloaded with Retry-After once the queue is deeper than its bound', async () => {
    await stack.pretendServed('bfl');
    await sleep(300); // past the ingress's quarter-second cache of "nobody serves bfl"
    const accepted = [];
    for (let index = 0; index < 3; index++) accepted.push(await submitAsync(`queued ${index}`, 'flux-2-pro'));
    expect(accepted.map((response) => response.status)).toEqual([202, 202, 202]);
    await sleep(300);
    const before = await callJson<{ held_usd: number }>(`${stack.baseURL}/account`, { apiKey: account.apiKey });
    const started = Date.now();
    const refused = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'flux-2-pro', prompt: 'one too many' },
    });
    expect(Date.now() - started).toBeLessThan(500);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ type: 'overloaded', code: 'overloaded' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const after = await callJson<{ held_usd: number }>(`${stack.baseURL}/account`, { apiKey: account.apiKey });
    expect(after.body.held_usd).toBe(before.body.held_usd);
    // Other providers are unaffected.
    expect((await submitAsync('still fine')).status).toBe(202);
    // Let the queued FLUX jobs go, so the stack ends with nothing held.
    await stack.redis.redis.del(workerHeartbeatKey(stack.redis.prefix, 'bfl'));
    for (const response of accepted) {
      await callJson(`${stack.baseURL}/images/jobs/${response.body.id}/cancel`, {
        method: 'POST',
        apiKey: account.apiKey,
      });
    }
  });
});
