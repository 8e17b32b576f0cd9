import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng } from '../support/edit-images.ts';
import { callJson } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/** No worker takes the jobs, so the queue stands still while the answers are compared. */
let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack({ providerWorker: false });
  await stack.pretendServed('openai');
  account = await stack.createAccount('positions', 10);
});
afterAll(async () => {
  await stack?.stop();
});

type JobBody = { id: string; status: string; queue_position: number | null; estimated_start_at: number | null };

describe('queue_position', () => {
  it('is the same in the 202 and in every later read of the job, counting the jobs ahead of it', async () => {
    const submit = (index: number) =>
      callJson<JobBody>(`${stack.baseURL}/images/generations`, {
        apiKey: account.apiKey,
        headers: { prefer: 'respond-async' },
        body: { model: 'gpt-image-2', prompt: `waiting ${index}`, quality: 'low' },
      });
    const accepted: Awaited<ReturnType<typeof submit>>[] = [];
    for (let index = 0; index < 4; index++) accepted.push(await submit(index));
    expect(accepted.map((response) => response.status)).toEqual([202, 202, 202, 202]);
    expect(accepted.map((response) => response.body.queue_position)).toEqual([0, 1, 2, 3]);
    const read = await Promise.all(
      accepted.map((response) =>
        callJson<JobBody>(`${stack.baseURL}/images/jobs/${response.body.id}`, { apiKey: account.apiKey }),
      ),
    );
    expect(read.map((response) => response.body.queue_position)).toEqual([0, 1, 2, 3]);
    // The estimate is "now + the drain time of the jobs ahead": a read a moment later may round to the next second.
    read.forEach((response, index) => {
      const atAcceptance = accepted[index]?.body.estimated_start_at ?? Number.NaN;
      expect(response.body.estimated_start_at).toBeGreaterThanOrEqual(atAcceptance);
      expect(response.body.estimated_start_at).toBeLessThanOrEqual(atAcceptance + 2);
    });
    const listed = await callJson<{ data: JobBody[] }>(`${stack.baseURL}/images/jobs?limit=4`, {
      apiKey: account.apiKey,
    });
    expect(listed.body.data.map((job) => job.queue_position)).toEqual([3, 2, 1, 0]);

    // Canceled jobs hold nothing when the stack is torn down.
    for (const response of accepted) {
      const canceled = await callJson<JobBody>(`${stack.baseURL}/images/jobs/${response.body.id}/cancel`, {
        method: 'POST',
        apiKey: account.apiKey,
      });
      expect(canceled.body).toMatchObject({ status: 'canceled', queue_position: null });
    }
  });

  it('shows in the 202 the job as every later read shows it, for each operation', async () => {
    const png = await gradientPng(64, 64);
    const submits: [string, Record<string, unknown>][] = [
      [
        'images/generations',
        {
          model: 'gpt-image-2',
          prompt: 'echoed',
          quality: 'low',
          n: 2,
          metadata: { order: '17' },
          fallbacks: ['gpt-image-2.6-flare'],
          moderation: 'low',
          user: 'u-1',
        },
      ],
      [
        'images/edits',
        {
          model: 'gpt-image-2',
          prompt: 'edited',
          images: [{ image_url: `data:image/png;base64,${png.toString('base64')}` }],
        },
      ],
      ['chat/completions', { model: 'gpt-image-2', messages: [{ role: 'user', content: 'chatted' }] }],
    ];
    for (const [path, body] of submits) {
      const accepted = await callJson<JobBody>(`${stack.baseURL}/${path}`, {
        apiKey: account.apiKey,
        headers: { prefer: 'respond-async' },
        body,
      });
      expect(accepted.status, `${path}: ${JSON.stringify(accepted.body)}`).toBe(202);
      const read = await callJson<JobBody>(`${stack.baseURL}/images/jobs/${accepted.body.id}`, {
        apiKey: account.apiKey,
      });
      const { estimated_start_at: _accepted, ...atAcceptance } = accepted.body;
      const { estimated_start_at: _read, ...later } = read.body;
      expect(atAcceptance, path).toEqual(later);
      await callJson(`${stack.baseURL}/images/jobs/${accepted.body.id}/cancel`, {
        method: 'POST',
        apiKey: account.apiKey,
      });
    }
  });
});
