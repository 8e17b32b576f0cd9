/**
 * Probe (not a figure; `pnpm bench` does not run it): PUTs of 1 MiB images per second into the
 * single-machine image store, before (s3rver, which `./imagegate.sh start` ran until issue 20) and
 * after (the local filesystem store, which it runs now). Both in this process, as `start` runs them
 * beside the worker, on a scratch directory; each PUT is a new key, as a generation's images are.
 *
 *   node bench/probes/local-put-throughput.ts [--seconds 10] [--concurrency 16] [--store s3rver,local]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalObjectStore, createObjectStore, type ObjectStore } from '@imagegate/storage';
import { startS3rver } from '@imagegate/testing';
import { percentile, round } from '../lib/stats.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    store: { type: 'string', default: 's3rver,local' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const image = randomBytes(1024 * 1024);

async function openStore(kind: string, directory: string): Promise<{ store: ObjectStore; stop(): Promise<void> }> {
  if (kind === 's3rver') {
    const s3 = await startS3rver({ dataDir: directory });
    const store = createObjectStore({ ...s3, bucket: 'images' });
    return { store, stop: s3.stop };
  }
  const store = createLocalObjectStore({
    directory,
    publicBaseUrl: 'http://localhost:8080',
    urlSecret: randomBytes(32).toString('base64url'),
  });
  return { store, stop: async () => {} };
}

async function measure(kind: string) {
  const directory = await mkdtemp(join(tmpdir(), `imagegate-put-${kind}-`));
  const { store, stop } = await openStore(kind, directory);
  await store.ensureBucket();
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const sent = performance.now();
        try {
          await store.putObject(`jobs/job_${next++}/0.png`, image, { contentType: 'image/png' });
          latencies.push(performance.now() - sent);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  store.close();
  await stop();
  await rm(directory, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return {
    store: kind,
    puts_per_s: round(latencies.length / elapsedS, 1),
    p50_ms: round(percentile(latencies, 50), 1),
    p99_ms: round(percentile(latencies, 99), 1),
    errors,
  };
}

const results = [];
for (const kind of values.store.split(',')) results.push(await measure(kind));
process.stdout.write(`${JSON.stringify({ image_bytes: image.byteLength, seconds, concurrency, results }, null, 2)}\n`);
