import { createFundedAccount, jobToHold, useTestDatabase } from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import { insertJobsWithHolds } from './job-submission.ts';
import { completeJobWithImages, findJob, startJobAttempt } from './jobs.ts';

const database = useTestDatabase({ checkMoneyAfterEach: true });

async function runningJob(): Promise<string> {
  const accountId = await createFundedAccount(database.pool, 1_000_000n);
  const [outcome] = await insertJobsWithHolds(database.pool, [jobToHold(accountId, 10_000n, 2)]);
  if (!outcome?.held) throw new Error('the job should be held');
  await startJobAttempt(database.pool, outcome.job.id);
  return outcome.job.id;
}

describe('completeJobWithImages', () => {
  it('reports exactly the columns the success wrote, as the job reads back', async () => {
    const id = await runningJob();
    const images = [
      { key: `jobs/${id}/0.png`, content_type: 'image/png', bytes: 1234 },
      { key: `jobs/${id}/1.png`, content_type: 'image/png', bytes: 5678 },
    ];
    const result = {
      created: 1_700_000_000,
      size: '1024x1024',
      quality: 'low',
      output_format: 'png',
      background: 'opaque',
      usage: { input_tokens: 12, output_tokens: 340 },
      warnings: ['a warning'],
    };
    const attempt = { provider: 'openai', model: 'gpt-image-2.6-flare', status: 'succeeded' as const, duration_ms: 51 };
    const transition = await completeJobWithImages(database.pool, id, images, result, attempt);
    const job = await findJob(database.pool, id);
    if (transition === undefined || job === undefined) throw new Error('the job should have succeeded');
    expect(transition.recorded).toEqual({
      route_index: job.route_index,
      attempts: job.attempts,
      images: job.images,
      result: job.result,
      routing: job.routing,
      started_at: job.started_at?.toISOString(),
      completed_at: job.completed_at?.toISOString(),
    });
    expect(transition.recorded).toMatchObject({ attempts: 1, images, result, routing: { attempts: [attempt] } });
  });

  it('reports nothing when another delivery made the success first', async () => {
    const id = await runningJob();
    const result = { created: 1, size: '1024x1024', quality: 'low', output_format: 'png', background: 'opaque' };
    const attempt = { provider: 'openai', model: 'gpt-image-2.6-flare', status: 'succeeded' as const };
    expect(await completeJobWithImages(database.pool, id, [], result, attempt)).toBeDefined();
    expect(await completeJobWithImages(database.pool, id, [], result, attempt)).toBeUndefined();
  });
});
