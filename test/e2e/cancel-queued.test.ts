import { afterAll, beforeAll, expect, it } from 'vitest';
import { callJson } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  // No worker serves BFL here, so a FLUX job stays queued until it is canceled.
  stack = await startTestStack({ env: { WORKER_PROVIDERS: 'openai,google' } });
  account = await stack.createAccount('cancel-queued');
  await stack.pretendServed('bfl');
});
afterAll(async () => {
  await stack?.stop();
});

it('releases the hold of a job canceled while queued at once, not at the next settlement sweep', async () => {
  const submitted = await callJson(`${stack.baseURL}/images/generations`, {
    apiKey: account.apiKey,
    headers: { prefer: 'respond-async' },
    body: { model: 'flux-2-pro', prompt: 'never drawn', n: 2 },
  });
  expect(submitted.status).toBe(202);
  const held = await callJson<{ held_usd: number }>(`${stack.baseURL}/account`, { apiKey: account.apiKey });
  expect(held.body.held_usd).toBeGreaterThan(0);

  const canceled = await callJson(`${stack.baseURL}/images/jobs/${submitted.body.id}/cancel`, {
    method: 'POST',
    apiKey: account.apiKey,
  });
  expect(canceled.body.status).toBe('canceled');
  // The sweep runs every 10 s with a 30 s grace; the queued settlement takes milliseconds.
  const deadline = Date.now() + 3_000;
  let now = held.body;
  while (now.held_usd > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = (await callJson<{ held_usd: number }>(`${stack.baseURL}/account`, { apiKey: account.apiKey })).body;
  }
  expect(now.held_usd).toBe(0);
});

it('takes a canceled job out of the queue, so the jobs behind it move up', async () => {
  const submit = (prompt: string) =>
    callJson<{ id: string; queue_position: number | null }>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      headers: { prefer: 'respond-async' },
      body: { model: 'flux-2-pro', prompt },
    });
  const first = await submit('first in line');
  const second = await submit('second in line');
  const positionOf = async (id: string) =>
    (
      await callJson<{ queue_position: number | null }>(`${stack.baseURL}/images/jobs/${id}`, {
        apiKey: account.apiKey,
      })
    ).body.queue_position;
  const before = await positionOf(second.body.id);
  expect(before).toBeGreaterThanOrEqual(1);

  await callJson(`${stack.baseURL}/images/jobs/${first.body.id}/cancel`, { method: 'POST', apiKey: account.apiKey });
  expect(await positionOf(second.body.id)).toBe((before ?? 0) - 1);
  await callJson(`${stack.baseURL}/images/jobs/${second.body.id}/cancel`, { method: 'POST', apiKey: account.apiKey });
});
