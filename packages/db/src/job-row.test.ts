import { generateOperationFixture } from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import { parseJobRow } from './job-row.ts';

/** A `jobs` row as node-postgres hands it over (jsonb decoded, int8 as bigint). */
function row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const created = new Date('2026-12-03T08:00:00Z');
  return {
    id: 'job_01',
    account_id: 'acct_01',
    status: 'failed',
    model: 'gpt-image-2',
    provider: 'openai',
    response_format: 'url',
    metadata: { order: '42' },
    attempts: 1,
    images: null,
    result: null,
    error_status: 502,
    error: { message: 'm', type: 'upstream_error', param: null, code: 'upstream_quota' },
    routing: {
      attempts: [{ provider: 'openai', model: 'gpt-image-2', status: 'failed', error_code: 'upstream_quota' }],
    },
    cancel_requested: false,
    upstream_tasks: {},
    webhook_url: null,
    markup_permille: 1500,
    prices: {},
    hold_micros: 15_000n,
    charged_micros: null,
    images_expired_at: null,
    settled_at: null,
    idempotency_key: null,
    request_hash: null,
    route_index: 0,
    deadline_at: null,
    created_at: created,
    started_at: created,
    completed_at: created,
    ...generateOperationFixture(),
    ...overrides,
  };
}

describe('parseJobRow', () => {
  it('types every column and the operation branch of a stored job', () => {
    const job = parseJobRow(row());
    expect(job).toMatchObject({ operation: 'generate', status: 'failed', hold_micros: 15_000n });
    expect(job.parameters.deadlineMs).toBe(600_000);
    expect(job.request.prompt).toBe('a cube');
    expect(job.error?.code).toBe('upstream_quota');
  });

  it('reads a stored error code or type outside the closed lists as none / server_error', () => {
    const job = parseJobRow(
      row({
        error: { message: 'm', type: 'requests', param: null, code: 'RESOURCE_EXHAUSTED' },
        routing: { attempts: [{ provider: 'google', model: 'm', status: 'failed', error_code: 'RESOURCE_EXHAUSTED' }] },
      }),
    );
    expect(job.error).toMatchObject({ type: 'server_error', code: null });
    expect(job.routing.attempts[0]?.error_code).toBeNull();
  });

  it('refuses a row whose operation or parameters do not parse, naming the job', () => {
    expect(() => parseJobRow(row({ operation: 'dream' }))).toThrow(/job job_01 does not parse/);
    expect(() => parseJobRow(row({ parameters: { n: 1 } }))).toThrow(/job job_01 does not parse/);
  });
});
