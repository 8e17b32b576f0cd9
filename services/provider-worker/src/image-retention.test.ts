import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@imagegate/core';
import { findJob } from '@imagegate/db';
import { toJobResource } from '@imagegate/resources';
import { createLocalObjectStore, type ObjectStore } from '@imagegate/storage';
import { createTestBucket, seedAccounts, seedJobs, useTestDatabase } from '@imagegate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredImages } from './image-retention.ts';

const db = useTestDatabase();
const logger = createLogger({ level: 'silent' });
const DAY = 86_400_000;
let account = '';

beforeAll(async () => {
  [account = ''] = await seedAccounts(db.pool, 1);
});

const backends: [string, () => Promise<{ store: ObjectStore; close(): Promise<void> }>][] = [
  [
    'S3',
    async () => {
      const store = await createTestBucket();
      return { store, close: () => store.deleteBucket() };
    },
  ],
  [
    'local',
    async () => {
      const directory = await mkdtemp(join(tmpdir(), 'imagegate-retention-'));
      const store = createLocalObjectStore({ directory, publicBaseUrl: 'http://localhost', urlSecret: 'r'.repeat(32) });
      return { store, close: () => rm(directory, { recursive: true, force: true }) };
    },
  ],
];

describe.each(backends)('sweepExpiredImages (%s)', (name, open) => {
  let store: ObjectStore;
  let close: () => Promise<void>;
  const prefix = `ret_${name.toLowerCase()}`;
  const [old, recent, failed, running] = ['old', 'recent', 'failed', 'running'].map((id) => `job_${prefix}_${id}`);

  beforeAll(async () => {
    ({ store, close } = await open());
    await seedJobs(db.pool, [
      { id: old ?? '', accountId: account, status: 'succeeded', asked: 2, delivered: 2 },
      { id: recent ?? '', accountId: account, status: 'succeeded', asked: 1, delivered: 1 },
      { id: failed ?? '', accountId: account, status: 'failed', asked: 1, delivered: 0 },
      { id: running ?? '', accountId: account, status: 'in_progress', asked: 1, delivered: 0 },
    ]);
    // Keys as the worker and the edit intake write them: images and uploaded inputs of each job.
    await db.pool.query(
      `update jobs set images = jsonb_build_array(jsonb_build_object('key', 'jobs/' || id || '/0.png',
         'content_type', 'image/png', 'bytes', 1)) where id = any($1)`,
      [[old, recent]],
    );
    await db.pool.query(`update jobs set completed_at = now() - interval '31 days' where id = any($1)`, [
      [old, failed],
    ]);
    await db.pool.query(`update jobs set completed_at = now() - interval '29 days' where id = $1`, [recent]);
    await db.pool.query(`update jobs set created_at = now() - interval '40 days' where id = $1`, [running]);
    for (const id of [old, recent, failed, running]) {
      for (const key of [`jobs/${id}/0.png`, `jobs/${id}/1.png`, `jobs/${id}/inputs/0.webp`]) {
        await store.putObject(key, Buffer.from(key), { contentType: 'image/png' });
      }
    }
  });
  afterAll(async () => {
    await close?.();
  });

  it('deletes the images and inputs of jobs ended more than the retention ago, and marks them', async () => {
    const swept = await sweepExpiredImages({ pool: db.pool, store, logger }, { retentionDays: 30 });
    expect(swept).toEqual({ jobs: 2, objects: 6 });
    expect(await store.listKeys(`jobs/${old}/`)).toEqual([]);
    expect(await store.listKeys(`jobs/${failed}/`)).toEqual([]);
    expect((await store.listKeys(`jobs/${recent}/`)).length).toBe(3);
    expect((await store.listKeys(`jobs/${running}/`)).length).toBe(3);

    const job = await findJob(db.pool, old ?? '');
    if (job === undefined) throw new Error('the job row must stay');
    expect(Date.now() - (job.images_expired_at?.getTime() ?? 0)).toBeLessThan(DAY);
    expect(job.images).toHaveLength(1); // its metadata stays
    const resource = toJobResource(job, { store, imageUrlTtlS: 60, queuePosition: null });
    expect(resource.images_expired_at).toBe(Math.floor((job.images_expired_at?.getTime() ?? 0) / 1000));
    expect(resource.result !== null && 'data' in resource.result ? resource.result.data : undefined).toEqual([]);
    expect(resource.status).toBe('succeeded');
    const kept = await findJob(db.pool, recent ?? '');
    expect(kept?.images_expired_at).toBeNull();
  });

  it('is idempotent, and a later sweep takes the jobs whose time came', async () => {
    expect(await sweepExpiredImages({ pool: db.pool, store, logger }, { retentionDays: 30 })).toEqual({
      jobs: 0,
      objects: 0,
    });
    const later = new Date(Date.now() + 2 * DAY);
    expect(await sweepExpiredImages({ pool: db.pool, store, logger }, { retentionDays: 30, now: later })).toEqual({
      jobs: 1,
      objects: 3,
    });
    expect(await store.listKeys(`jobs/${running}/`)).toHaveLength(3);
  });
});
