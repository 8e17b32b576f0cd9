import { setTimeout as sleep } from 'node:timers/promises';
import { providerQueueName } from '@imagegate/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * A job recorded and held whose queue entry cannot be written ends like any other job: failed,
 * and announced, so its hold goes back at once rather than at the settlement sweep (30 s on).
 */
let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack({ providerWorker: false });
  await stack.pretendServed('openai');
  account = await stack.createAccount('unqueued', 10);
});
afterAll(async () => {
  await stack?.stop();
});

describe('a job that cannot be enqueued', () => {
  it('answers 503 overloaded, fails the job and releases its hold within seconds', async () => {
    // Every add to the queue writes its event stream; a string in its place makes the add fail.
    await stack.redis.redis.set(`${stack.redis.prefix}:${providerQueueName('openai')}:events`, 'in the way');
    const refused = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2', prompt: 'nowhere to go', quality: 'low' },
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ type: 'overloaded', code: 'overloaded' });
    const { rows } = await stack.database.pool.query<{ status: string; error_status: number }>(
      'select status, error_status from jobs where account_id = $1',
      [account.accountId],
    );
    expect(rows).toEqual([{ status: 'failed', error_status: 503 }]);
    const deadline = Date.now() + 5_000;
    let held = -1;
    while (Date.now() < deadline) {
      held = (await callJson<{ held_usd: number }>(`${stack.baseURL}/account`, { apiKey: account.apiKey })).body
        .held_usd;
      if (held === 0) break;
      await sleep(100);
    }
    expect(held).toBe(0);
  });
});
