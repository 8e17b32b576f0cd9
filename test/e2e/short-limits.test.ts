import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack({ env: { IMAGE_URL_TTL_S: '3', SYNC_WAIT_MAX_S: '1' } });
  account = await stack.createAccount('limits');
});
afterAll(async () => {
  await stack?.stop();
});

describe('IMAGE_URL_TTL_S', () => {
  it('makes presigned image URLs stop working once they expire', async () => {
    const client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
    const result = await client.images.generate({
      model: 'gpt-image-2.6-flare',
      prompt: 'ephemeral',
      response_format: 'url',
    });
    const url = result.data?.[0]?.url ?? '';
    // 3 s, not 1: a signature counts whole seconds, so a 1 s URL could expire before a loaded machine fetched it.
    expect((await fetch(url)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 4_200));
    expect((await fetch(url)).status).toBe(403);
  });
});

describe('SYNC_WAIT_MAX_S', () => {
  it('turns a synchronous request into a 202 with the job when the job outlasts the limit', async () => {
    const response = await callJson<{ id: string; status: string }>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'slow [emulate:latency=2500]' },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/v1/images/jobs/${response.body.id}`);
    expect(response.headers.get('preference-applied')).toBeNull();
  });
});
