/**
 * Benchmark `redis-footprint` (docs/benchmarks.md): bytes per BullMQ job hash, and image bytes in Redis.
 * Targets: ≤ 2 KiB (2,048 bytes) per job hash in every state; no image bytes anywhere under the
 * prefix. No baseline.
 *
 * The real pipeline (ingress, provider worker and settlement worker in one host; the OpenAI emulator
 * with large images and s3rver in another) runs `--jobs` jobs through each phase, half
 * `response_format=url` and half `b64_json`:
 *
 * 1. finished: good jobs, half sync and half async (`Prefer: respond-async`, with a `webhook_url`;
 *    no webhook worker runs, so their webhook entries stay queued). Completed entries are removed.
 * 2. retried: the emulator answers 500 or 429 (prompt directives), so each job waits in `delayed`
 *    for its backoff twice, then ends failed in Postgres (its entry completed and removed).
 * 3. failed: a host whose S3 bucket does not exist, so storing the image throws on every attempt
 *    (delayed twice with a stack trace, then failed: BullMQ keeps failed entries for 24 h).
 * 4. active + queued: `--jobs` jobs the emulator never answers fill the worker's concurrency
 *    (`WORKER_CONCURRENCY=--jobs`), then `--jobs` good jobs wait behind them.
 *
 * Throughout, every `--sample-ms` a sampler lists the job ids of every state of the provider
 * and webhook queues and reads each hash with `MEMORY USAGE <key> SAMPLES 0` (and its fields,
 * checked for image bytes); per queue and state, each job counts once with the largest size it had
 * there. The settlement stream (an entry per finished job until its batch is acknowledged) is
 * sampled too: its longest length and its bytes then. At the end of phases 1–3 and with phase 4 standing, every key under the prefix is
 * scanned: total bytes, bytes per kind of key, and every value checked for image bytes (a PNG, JPEG,
 * GIF or WebP signature, raw or base64) and for length over 16 KiB.
 *
 *   pnpm bench redis-footprint [--jobs 100] [--image-bytes 2097152] [--latency-ms 200] [--sample-ms 200]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRedisConnection, providerQueueName, settlementStreamKey, WEBHOOK_QUEUE } from '@imagegate/queue';
import { z } from 'zod';
import { distribution, JobHashSampler, type PrefixScan, scanPrefix } from './lib/footprint.ts';
import { createAgent, postJson } from './lib/http-client.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { type Host, REDIS_URL, startImagegateStack } from './lib/stack.ts';
import { round } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100' },
    'image-bytes': { type: 'string', default: String(2 * 1024 * 1024) },
    'latency-ms': { type: 'string', default: '200' },
    'sample-ms': { type: 'string', default: '200' },
    'timeout-s': { type: 'string', default: '300' },
  },
});
const jobs = Number(values.jobs);
const imageBytes = Number(values['image-bytes']);
const latencyMs = Number(values['latency-ms']);
const sampleMs = Number(values['sample-ms']);
const timeoutMs = Number(values['timeout-s']) * 1000;
const log = (message: string) => process.stderr.write(`[redis-footprint] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PROVIDER_QUEUE = providerQueueName('openai');
const QUEUES = [PROVIDER_QUEUE, WEBHOOK_QUEUE];
const SHORT: Record<string, string> = {
  [PROVIDER_QUEUE]: 'provider',
  [WEBHOOK_QUEUE]: 'webhook',
};
const FORMATS = ['url', 'b64_json'] as const;

const pinned = pinningAvailable();
const stack = await startImagegateStack({ latencyMs, imageBytes, pinned });
const redis = createRedisConnection(REDIS_URL);
const prefix = stack.scratch.redisPrefix;
const sampler = new JobHashSampler(redis, prefix, QUEUES);
/** The settlement stream at its longest (entries, and its bytes then). */
let settlementStreamPeak = { entries: 0, bytes: 0 };
async function sampleSettlementStream(): Promise<void> {
  const key = settlementStreamKey(prefix);
  const [entries, bytes] = await Promise.all([redis.xlen(key), redis.memory('USAGE', key, 'SAMPLES', 0)]);
  if (entries > settlementStreamPeak.entries) settlementStreamPeak = { entries, bytes: Number(bytes ?? 0) };
}
const phases: Record<string, unknown>[] = [];
const scans: Record<string, PrefixScan> = {};
let sampling = true;
let submitted = 0;
let submitErrors = 0;

/** Samples until told to stop; a failed sample is reported and retried. */
const samplerLoop = (async () => {
  while (sampling) {
    const started = performance.now();
    await Promise.all([sampler.sample(), sampleSettlementStream()]).catch((error: unknown) =>
      log(`sample failed: ${String(error)}`),
    );
    await sleep(Math.max(0, sampleMs - (performance.now() - started)));
  }
})();

const agent = createAgent(64);
const MODEL = 'gpt-image-2.6-flare';
const hostEnv = {
  WORKER_CONCURRENCY: String(jobs),
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*',
  CATALOG_FILE: catalogWithShortDeadline(MODEL, 20),
};

/**
 * The retried phase's 429s send each job back to its queue until its deadline (a rate-limit wait
 * spends no attempt): a short deadline ends them in seconds instead of the model's two minutes.
 */
function catalogWithShortDeadline(modelId: string, seconds: number): string {
  const catalog = z
    .object({ models: z.array(z.looseObject({ id: z.string() })) })
    .parse(JSON.parse(readFileSync(new URL('../packages/catalog/data/models.json', import.meta.url), 'utf8')));
  const model = catalog.models.find((candidate) => candidate.id === modelId);
  if (model === undefined) throw new Error(`no model ${modelId} in the catalog`);
  const file = join(mkdtempSync(join(tmpdir(), 'imagegate-bench-catalog-')), 'catalog.json');
  writeFileSync(file, JSON.stringify({ models: [{ ...model, deadline: { seconds } }] }));
  return file;
}

/** Sends `count` requests, `limit` at a time; `expect` is the status a good answer has. */
async function submit(
  host: Host,
  count: number,
  request: (index: number) => { body: Record<string, unknown>; async: boolean },
  limit = 32,
): Promise<void> {
  const url = new URL(`${host.url}/v1/images/generations`);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const index = next++;
        const { body, async } = request(index);
        const headers: Record<string, string> = { authorization: `Bearer ${stack.scratch.apiKey}` };
        if (async) headers.prefer = 'respond-async';
        const answer = await postJson(agent, url, JSON.stringify(body), headers).catch(() => ({ status: 0 }));
        submitted++;
        // Sync requests for jobs that end failed answer with the upstream's error; that is expected.
        if (answer.status === 0 || answer.status >= 500 || (async && answer.status !== 202)) submitErrors++;
      }
    }),
  );
}

const generation = (index: number, prompt: string, extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  prompt,
  quality: 'low',
  size: '1024x1024',
  response_format: FORMATS[index % 2],
  ...extra,
});
const webhook = { webhook_url: 'http://127.0.0.1:9/redis-footprint-hook' };

/** Waits until `done()` holds (polling), or the timeout. */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
const terminalJobs = async () =>
  Number(
    (
      await stack.scratch.pool.query<{ n: string }>(
        `select count(*) as n from jobs where status in ('succeeded', 'failed', 'canceled')`,
      )
    ).rows[0]?.n ?? 0,
  );
const setSize = (state: 'wait' | 'active' | 'failed') =>
  state === 'failed'
    ? redis.zcard(`${prefix}:${PROVIDER_QUEUE}:failed`)
    : redis.llen(`${prefix}:${PROVIDER_QUEUE}:${state}`);

const pendingEntries = async () => {
  const key = (name: string) => `${prefix}:${PROVIDER_QUEUE}:${name}`;
  const [waiting, active, delayed] = await Promise.all([
    redis.llen(key('wait')),
    redis.llen(key('active')),
    redis.zcard(key('delayed')),
  ]);
  return waiting + active + delayed;
};

async function phase(name: string, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  const before = submitted;
  log(`phase ${name}`);
  await run();
  // Two more samples, so the states the phase ends in are seen.
  await sleep(2 * sampleMs);
  const scan = await scanPrefix(redis, prefix);
  scans[name] = scan;
  phases.push({
    phase: name,
    requests: submitted - before,
    seconds: round((performance.now() - started) / 1000),
    keys_after: scan.keys,
    bytes_after: scan.totalBytes,
    image_bytes_after: scan.imageBytes,
  });
  log(`  ${name}: ${scan.keys} keys, ${scan.totalBytes} bytes under the prefix, image bytes ${scan.imageBytes}`);
}

try {
  if (pinned) pin(process.pid, 1);
  let host = await stack.startImagegate(hostEnv);
  let terminal = 0;

  await phase('finished', async () => {
    await submit(host, jobs, (index) =>
      index % 4 < 2
        ? { body: generation(index, 'a large red cube'), async: false }
        : { body: generation(index, 'a large red cube', webhook), async: true },
    );
    terminal += jobs;
    await until('finished jobs', async () => (await terminalJobs()) >= terminal);
  });

  await phase('retried', async () => {
    await submit(host, jobs, (index) => ({
      body: generation(index, index % 4 < 2 ? 'a cube [emulate:500]' : 'a cube [emulate:429]', webhook),
      async: true,
    }));
    terminal += jobs;
    await until('retried jobs', async () => (await terminalJobs()) >= terminal);
  });

  await host.stop();
  const broken = await stack.startImagegate({ ...hostEnv, S3_BUCKET: `missing-${randomBytes(4).toString('hex')}` });
  await phase('failed', async () => {
    await submit(broken, jobs, (index) => ({ body: generation(index, 'a large red cube', webhook), async: true }));
    // Every entry failed, or none is left to fail (a request that did not become a job, say).
    await until('failed entries', async () => {
      const [failed, left] = await Promise.all([setSize('failed'), pendingEntries()]);
      return failed >= jobs || (failed > 0 && left === 0);
    });
  });
  await broken.stop();

  host = await stack.startImagegate(hostEnv);
  await phase('active-and-queued', async () => {
    await submit(host, jobs, (index) => ({ body: generation(index, 'a cube [emulate:hang]', webhook), async: true }));
    await until('active entries', async () => (await setSize('active')) >= jobs);
    await submit(host, jobs, (index) => ({ body: generation(index, 'a large red cube', webhook), async: true }));
    await until('queued entries', async () => (await setSize('wait')) >= jobs);
    // A second's worth of samples with every state standing.
    await sleep(Math.max(1000, 5 * sampleMs));
  });
  const standing = {
    waiting: await setSize('wait'),
    active: await setSize('active'),
    failed: await setSize('failed'),
  };
  sampling = false;
  await samplerLoop;
  // Releases the hanging upstream calls, so the host stops at once.
  await stack.upstreams.stop();

  const final = scans['active-and-queued'] as PrefixScan;
  const byQueue = sampler.distributions();
  const results: Record<string, number> = {};
  const perState: Record<string, unknown> = {};
  let hashMax = 0;
  for (const [queue, byState] of Object.entries(byQueue)) {
    for (const [state, d] of Object.entries(byState)) {
      if (d === undefined || d.count === 0) continue;
      const name = `${SHORT[queue] ?? queue}_${state.replace('-', '_')}`;
      results[`${name}_jobs`] = d.count;
      results[`${name}_mean_bytes`] = Math.round(d.mean);
      results[`${name}_p99_bytes`] = d.p99;
      results[`${name}_max_bytes`] = d.max;
      perState[name] = d;
      hashMax = Math.max(hashMax, d.max);
    }
  }
  const everyProviderHash = distribution(
    [...(sampler.sizes.get(PROVIDER_QUEUE)?.values() ?? [])].flatMap((byId) => [...byId.values()]),
  );
  const jobsStanding = standing.waiting + standing.active + standing.failed;
  const imageBytesSeen =
    Object.values(scans).reduce((sum, scan) => sum + scan.imageBytes, 0) +
    sampler.findings.filter((finding) => finding.image).reduce((sum, finding) => sum + finding.bytes, 0);
  const output = {
    job_hash_max_bytes: hashMax,
    provider_job_hash_mean_bytes: Math.round(everyProviderHash.mean),
    provider_job_hash_p99_bytes: everyProviderHash.p99,
    ...results,
    settlement_stream_max_entries: settlementStreamPeak.entries,
    settlement_stream_bytes_at_max: settlementStreamPeak.bytes,
    prefix_bytes: final.totalBytes,
    prefix_keys: final.keys,
    prefix_bytes_per_standing_job: Math.round(final.totalBytes / jobsStanding),
    prefix_bytes_per_submitted_job: Math.round(final.totalBytes / submitted),
    image_bytes: imageBytesSeen,
    large_values: sampler.findings.length + Object.values(scans).reduce((sum, scan) => sum + scan.findings.length, 0),
    submit_errors: submitErrors,
  };
  const targets = { job_hash_max_bytes_max: 2048, image_bytes_max: 0 };
  const topKinds = Object.fromEntries(
    Object.entries(final.bytesByKind)
      .sort(([, a], [, b]) => b.bytes - a.bytes)
      .slice(0, 15),
  );
  printFigure({
    name: 'redis-footprint',
    pass: meetsTargets(output, targets),
    ratio: null,
    ratio_meaning: 'no baseline: absolute bytes per job hash',
    results: output,
    targets,
    method: {
      jobs_per_phase: jobs,
      requests: submitted,
      image_bytes: imageBytes,
      emulator_latency_ms: latencyMs,
      worker_concurrency: jobs,
      sample_every_ms: sampler.samples > 0 ? sampleMs : null,
      samples: sampler.samples,
      phases:
        'finished (half sync, half async with webhook_url), retried (emulator 500/429: delayed twice), failed (missing S3 bucket: delayed twice, then failed and kept), active + queued (hanging upstream fills concurrency, then good jobs wait)',
      formats: 'url and b64_json alternate',
      measure:
        'MEMORY USAGE <prefix>:<queue>:<id> SAMPLES 0 of every job in every state, every sample; per queue and state a job counts once, with its largest size there',
      prefix_bytes: 'sum of MEMORY USAGE SAMPLES 0 of every key under the prefix with phase 4 standing',
      image_scan:
        'every value of every key under the prefix (after each phase) and every job-hash field (every sample): PNG/JPEG/GIF/WebP signature raw or base64 → image bytes; > 16 KiB → large value',
    },
    pinning: pinningNote(pinned, 'the emulator, s3rver and the load generator'),
    rounds: phases,
    details: {
      standing,
      per_state: perState,
      largest_fields: Object.fromEntries(sampler.largestFields),
      prefix_bytes_by_kind: topKinds,
      findings: [...sampler.findings, ...Object.values(scans).flatMap((scan) => scan.findings)].slice(0, 20),
    },
  });
} finally {
  sampling = false;
  await samplerLoop;
  await stack.close();
  redis.disconnect();
}
