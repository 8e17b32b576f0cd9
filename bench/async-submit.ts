/**
 * Benchmark `async-submit` (docs/benchmarks.md): `Prefer: respond-async` submits — auth, quote, hold in
 * one Postgres transaction, BullMQ add — against two baselines in the same run: a raw single-row
 * Postgres insert loop and a raw BullMQ add loop. Target (issue 19): ≥ 4,000 accepted/s, p99 ≤ 25 ms,
 * ratio to the slower baseline ≥ 0.3.
 *
 *   pnpm bench async-submit [--rate 4000] [--seconds 10] [--rounds 3] [--accounts 100] [--warmup 3] [--port N]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { generateApiKey } from '@imagegate/core';
import { createAccountWithGrant, createPool, insertApiKey, migrate } from '@imagegate/db';
import { createRedisConnection, deleteKeysWithPrefix, workerHeartbeatKey } from '@imagegate/queue';
import { Queue } from 'bullmq';
import pg from 'pg';
import { runOpenLoop } from './lib/open-loop.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { median, round } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '4000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    accounts: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '3' },
    // The ingress's port (default: a random one in 18000–18999).
    port: { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const accountCount = Number(values.accounts);
const warmupS = Number(values.warmup);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = (message: string) => process.stderr.write(`${message}\n`);
const pinned = pinningAvailable();

const database = `imagegate_bench_${randomBytes(4).toString('hex')}`;
const prefix = `bench-${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${database}`);
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${database}`;
const pool = createPool(databaseUrl.toString(), { max: 64 });
const redis = createRedisConnection(REDIS_URL);
let ingress: ChildProcess | undefined;

/**
 * CPU seconds (user + system) the process has used, from /proc (Linux; undefined elsewhere). Per
 * accepted request it is a steadier figure than the rate on a shared machine.
 */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Loop `worker` on `concurrency` lanes for `durationS`; returns operations per second. */
async function closedLoop(concurrency: number, durationS: number, worker: () => Promise<void>): Promise<number> {
  const end = performance.now() + durationS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await worker();
        done++;
      }
    }),
  );
  return done / durationS;
}

try {
  await migrate(pool);
  await pool.query(
    'create table bench_rows (id text primary key, payload jsonb not null, created_at timestamptz default now())',
  );
  // Requests rotate over the accounts' keys: with one account every hold contends for one row.
  const keys: string[] = [];
  for (let index = 0; index < accountCount; index++) {
    const account = await createAccountWithGrant(pool, {
      name: `bench-${index}`,
      starterMicros: 10n ** 12n,
    });
    const key = generateApiKey();
    await insertApiKey(pool, { accountId: account.id, name: 'bench', prefix: key.prefix, keyHash: key.hash });
    keys.push(key.key);
  }

  // No provider worker runs here (the figure is the submit path alone): stand in for its heartbeat so
  // admission does not answer 503 provider_unavailable, and lift the queue bound the backlog would hit.
  await redis.set(workerHeartbeatKey(prefix, 'openai'), '1');
  const port = values.port === undefined ? 18000 + Math.floor(Math.random() * 1000) : Number(values.port);
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl.toString(),
    DATABASE_POOL_SIZE: '32',
    REDIS_URL,
    REDIS_PREFIX: prefix,
    S3_ENDPOINT: 'http://127.0.0.1:1',
    // The ingress alone refuses to start without the key that seals webhook secrets.
    IMAGEGATE_SECRET_KEY: randomBytes(32).toString('base64'),
    PORT: String(port),
    HOST: '127.0.0.1',
    // BENCH_LOG_LEVEL=debug with BENCH_HOST_LOG=<file> keeps the ingress's logs (each request's stagesMs).
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    PROVIDER_LIMITS: 'openai=500rpm/50/100000000',
  };
  const command = pinned ? ['taskset', '-c', '0', process.execPath] : [process.execPath];
  ingress = spawn(
    command[0] ?? process.execPath,
    [
      ...command.slice(1),
      ...(process.env.BENCH_INGRESS_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      'services/ingress/src/main.ts',
    ],
    {
      env,
      stdio: ['ignore', process.env.BENCH_HOST_LOG ? openSync(process.env.BENCH_HOST_LOG, 'a') : 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 100; i++) {
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (pinned) pin(process.pid, 1);

  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const body = JSON.stringify({
    model: 'gpt-image-2.6-flare',
    prompt: 'a small red cube',
    quality: 'low',
    size: '1024x1024',
  });
  const submit = (index: number) =>
    new Promise<boolean>((resolve, reject) => {
      const call = request(
        {
          agent,
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/images/generations',
          headers: {
            authorization: `Bearer ${keys[index % keys.length]}`,
            'content-type': 'application/json',
            prefer: 'respond-async',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode === 202));
        },
      );
      call.on('error', reject);
      call.end(body);
    });

  const bullQueue = new Queue('bench-baseline', { connection: redis, prefix });
  const results: {
    round: number;
    pgInsertPerS: number;
    bullmqAddPerS: number;
    imagegate: Awaited<ReturnType<typeof runOpenLoop>>;
    cpuMsPerRequest: number | undefined;
  }[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}: raw pg insert loop`);
    let row = 0;
    const pgInsertPerS = await closedLoop(32, seconds / 2, async () => {
      await pool.query('insert into bench_rows (id, payload) values ($1, $2)', [`r${round}-${row++}`, body]);
    });
    log(`round ${round}: raw BullMQ add loop`);
    let added = 0;
    const bullmqAddPerS = await closedLoop(32, seconds / 2, async () => {
      await bullQueue.add(
        'x',
        { jobId: `j${round}-${added}` },
        { jobId: `j${round}-${added++}`, removeOnComplete: true },
      );
    });
    log(`round ${round}: imagegate at ${rate}/s`);
    const cpuBefore = cpuSecondsOf(ingress.pid);
    const imagegate = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS, send: submit });
    const cpuAfter = cpuSecondsOf(ingress.pid);
    // Over every request of the pass, warm-up included (the CPU counter cannot tell them apart).
    const cpuMsPerRequest =
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / (rate * (seconds + warmupS));
    results.push({ round, pgInsertPerS, bullmqAddPerS, imagegate, cpuMsPerRequest });
    log(
      `  pg ${round} ${Math.round(pgInsertPerS)}/s · bullmq ${Math.round(bullmqAddPerS)}/s · imagegate ${Math.round(imagegate.achievedPerS)}/s p99 ${Math.round(imagegate.p99Ms)} ms · ingress ${cpuMsPerRequest?.toFixed(3)} CPU ms/request`,
    );
  }
  await bullQueue.close();

  const ratios = results.map((r) => r.imagegate.achievedPerS / Math.min(r.pgInsertPerS, r.bullmqAddPerS));
  const achieved = median(results.map((r) => r.imagegate.achievedPerS));
  const p99 = median(results.map((r) => r.imagegate.p99Ms));
  const output = {
    accepted_per_s: Math.round(achieved),
    p99_ms: round(p99),
    ratio_to_slower_baseline: round(median(ratios), 3),
    errors: results.reduce((sum, r) => sum + r.imagegate.errors, 0),
  };
  const targets = { accepted_per_s_min: 4000 * 0.99, p99_ms_max: 25, ratio_to_slower_baseline_min: 0.3 };
  printFigure({
    name: 'async-submit',
    pass: meetsTargets(output, targets),
    ratio: round(median(ratios), 3),
    ratio_meaning: 'imagegate accepted/s / the slower of a raw pg insert loop and a raw BullMQ add loop, median',
    results: output,
    targets,
    method: { offered_per_s: rate, accounts: accountCount, seconds, warmup_s: warmupS, rounds },
    pinning: pinningNote(pinned),
    rounds: results.map((r) => ({
      round: r.round,
      pg_insert_per_s: Math.round(r.pgInsertPerS),
      bullmq_add_per_s: Math.round(r.bullmqAddPerS),
      imagegate_accepted_per_s: Math.round(r.imagegate.achievedPerS),
      imagegate_p50_ms: round(r.imagegate.p50Ms),
      imagegate_p99_ms: round(r.imagegate.p99Ms),
      imagegate_errors: r.imagegate.errors,
      ingress_cpu_ms_per_request: r.cpuMsPerRequest === undefined ? null : round(r.cpuMsPerRequest, 3),
    })),
  });
} finally {
  ingress?.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await pool.end();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
