import { waitForSettlements } from '@imagegate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFileWithModel } from '../support/catalog-file.ts';
import { callJson } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * What each job cost us: the OpenAI emulator reports usage by OpenAI's published token formula,
 * the job shows its upstream cost next to its charge, and the margin report adds them up and
 * names the jobs that lost money.
 */

let stack: TestStack;
let account: TestAccount;
const started = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  // gpt-image-2.6-flare quoted as if an image were one token: its frozen price is far below the
  // usage the upstream reports, as a catalog that fell behind the upstream's prices would be.
  const underpriced = catalogFileWithModel('gpt-image-2.6-flare', (model) => {
    const pricing = model.pricing as { output: { qualityFactors: Record<string, number> } };
    pricing.output.qualityFactors = { low: 1, medium: 1, high: 1, xhigh: 1, max: 1 };
  });
  stack = await startTestStack({ env: { CATALOG_FILE: underpriced } });
  account = await stack.createAccount('margin', 100);
});
afterAll(async () => {
  await stack?.stop();
});

interface Job {
  id: string;
  model: string;
  billing: { charged_usd: number; upstream_cost_usd: number | null };
}

const generate = async (model: string): Promise<Job> => {
  const response = await callJson<Job>(`${stack.url}/v1/images/generations`, {
    apiKey: account.apiKey,
    body: { model, prompt: 'a lighthouse', quality: 'high', size: '1024x1024' },
    headers: { prefer: 'respond-async' },
  });
  expect(response.status).toBe(202);
  for (;;) {
    const job = await callJson<Job & { status: string }>(`${stack.baseURL}/images/jobs/${response.body.id}`, {
      apiKey: account.apiKey,
    });
    if (job.body.status === 'succeeded') return job.body;
    expect(['queued', 'in_progress']).toContain(job.body.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

interface MarginReport {
  models: { model: string; jobs: number; images: number; charged_usd: number; upstream_cost_usd: number }[];
  total: { jobs: number; charged_usd: number; upstream_cost_usd: number; margin_usd: number };
  losses: { job_id: string; model: string }[];
}

describe('margin', () => {
  let priced: Job;
  let underpriced: Job;

  beforeAll(async () => {
    priced = await generate('gpt-image-2');
    underpriced = await generate('gpt-image-2.6-flare');
    await waitForSettlements(stack.database.pool);
  });

  it('shows upstream_cost_usd next to charged_usd: gpt-image-2 high at 1024x1024 costs us $0.211', () => {
    // 7,024 output tokens at USD 30 per million, plus the prompt's few text tokens at USD 5 per million.
    expect(priced.billing.upstream_cost_usd).toBeCloseTo(0.2107, 3);
    expect(priced.billing.charged_usd).toBeGreaterThan(priced.billing.upstream_cost_usd ?? Number.POSITIVE_INFINITY);
  });

  it('reports per model and in total, naming the job whose charge was below its upstream cost', async () => {
    const until = Math.floor(Date.now() / 1000) + 1;
    const response = await stack.admin(`/admin/v1/reports/margin?since=${started - 1}&until=${until}`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as MarginReport;
    expect(report.models).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ model: 'gpt-image-2', jobs: 1, images: 1 }),
        expect.objectContaining({ model: 'gpt-image-2.6-flare', jobs: 1, images: 1 }),
      ]),
    );
    expect(report.total.jobs).toBe(2);
    expect(report.total.margin_usd).toBeCloseTo(report.total.charged_usd - report.total.upstream_cost_usd, 6);
    expect(report.losses).toEqual([
      {
        job_id: underpriced.id,
        model: 'gpt-image-2.6-flare',
        charged_usd: expect.any(Number),
        upstream_cost_usd: expect.any(Number),
      },
    ]);
    expect(underpriced.billing.upstream_cost_usd).toBeGreaterThan(underpriced.billing.charged_usd);
  });

  it('answers 400 naming the parameter for a bound that is not a time', async () => {
    const response = await stack.admin('/admin/v1/reports/margin?since=yesterday');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('since');
  });
});
