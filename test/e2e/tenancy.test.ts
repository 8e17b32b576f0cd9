import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let alice: TestAccount;
let bob: TestAccount;
let aliceJobId: string;

beforeAll(async () => {
  stack = await startTestStack();
  [alice, bob] = await Promise.all([stack.createAccount('alice'), stack.createAccount('bob')]);
  const accepted = await callJson<{ id: string }>(`${stack.url}/v1/images/generations`, {
    apiKey: alice.apiKey,
    body: { model: 'gpt-image-2.6-flare', prompt: "alice's picture [emulate:latency=1500]" },
    headers: { prefer: 'respond-async' },
  });
  aliceJobId = accepted.body.id;
});
afterAll(async () => {
  await stack?.stop();
});

describe('tenancy', () => {
  it("answers 404 when one account reads another's job", async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/jobs/${aliceJobId}`, { apiKey: bob.apiKey });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'not_found' });
  });

  it("answers 404 when one account cancels another's job, and the job runs on", async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/jobs/${aliceJobId}/cancel`, {
      apiKey: bob.apiKey,
      method: 'POST',
    });
    expect(response.status).toBe(404);
    expect((await pollJob(stack.url, alice.apiKey, aliceJobId)).status).toBe('succeeded');
  });

  it("leaves another account's jobs out of a listing", async () => {
    const bobs = await callJson<{ data: unknown[] }>(`${stack.url}/v1/images/jobs`, { apiKey: bob.apiKey });
    expect(bobs.body.data).toEqual([]);
    const alices = await callJson<{ data: { id: string }[] }>(`${stack.url}/v1/images/jobs`, { apiKey: alice.apiKey });
    expect(alices.body.data.map((job) => job.id)).toEqual([aliceJobId]);
  });

  it('answers the same 404 for a job id that does not exist', async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/jobs/job_01jd00000000000000000000zz`, {
      apiKey: bob.apiKey,
    });
    expect(response.status).toBe(404);
  });
});
