/**
 * Probe (not a figure): the ingress's CPU time per `Prefer: respond-async` submit, the steady
 * number on a shared machine. A closed loop keeps `--concurrency` submits in flight until
 * `--requests` have been answered, so the batches are about the same size in every run whatever
 * else the machine is doing; the ingress runs alone in its own process (pinned to cpu 0 where
 * taskset exists), and its user + system time over the pass is divided by the submits.
 *
 *   node bench/probes/submit-cpu.ts [--requests 20000] [--concurrency 64] [--accounts 100] [--port N]
 *   (BENCH_INGRESS_NODE_ARGS=--cpu-prof profiles the ingress)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { generateApiKey } from '@imagegate/core';
import { createAccountWithGrant, createPool, insertApiKey, migrate } from '@imagegate/db';
import { createRedisConnection, deleteKeysWithPrefix, workerHeartbeatKey } from '@imagegate/queue';
import pg from 'pg';
import { pin, pinningAvailable } from '../lib/pinning.ts';
import { percentile } from '../lib/stats.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    accounts: { type: 'string', default: '100' },
    port: { type: 'string' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const accountCount = Number(values.accounts);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const pinned = pinningAvailable();

/** User + system CPU seconds of a process, from /proc (clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const database = `imagegate_probe_${randomBytes(4).toString('hex')}`;
const prefix = `probe-${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${database}`);
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${database}`;
const pool = createPool(databaseUrl.toString(), { max: 4 });
const redis = createRedisConnection(REDIS_URL);
let ingress: ChildProcess | undefined;
try {
  await migrate(pool);
  const keys: string[] = [];
  for (let index = 0; index < accountCount; index++) {
    const account = await createAccountWithGrant(pool, { name: `probe-${index}`, starterMicros: 10n ** 12n });
    const key = generateApiKey();
    await insertApiKey(pool, { accountId: account.id, name: 'probe', prefix: key.prefix, keyHash: key.hash });
    keys.push(key.key);
  }
  // No provider worker: stand in for its heartbeat, and lift the queue bound.
  await redis.set(workerHeartbeatKey(prefix, 'openai'), '1');
  const port = values.port === undefined ? 18000 + Math.floor(Math.random() * 1000) : Number(values.port);
  const node = [
    ...(process.env.BENCH_INGRESS_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    'services/ingress/src/main.ts',
  ];
  ingress = spawn(pinned ? 'taskset' : process.execPath, pinned ? ['-c', '0', process.execPath, ...node] : node, {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      S3_ENDPOINT: 'http://127.0.0.1:1',
      IMAGEGATE_SECRET_KEY: randomBytes(32).toString('base64'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PROVIDER_LIMITS: 'openai=500rpm/50/100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // A loaded machine can take many seconds to start it.
  const healthy = () =>
    fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
  for (let i = 0; !(await healthy()); i++) {
    if (i >= 600) throw new Error(`the ingress did not answer on port ${port} within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (pinned) pin(process.pid, 1);

  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const body = JSON.stringify({
    model: 'gpt-image-2.6-flare',
    prompt: 'a small red cube',
    quality: 'low',
    size: '1024x1024',
  });
  const submit = (index: number) =>
    new Promise<number>((resolve, reject) => {
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
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  const pass = async (count: number) => {
    let next = 0;
    let refused = 0;
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const index = next++;
          const started = performance.now();
          if ((await submit(index)) !== 202) refused++;
          latencies.push(performance.now() - started);
        }
      }),
    );
    return { refused, latencies: latencies.sort((a, b) => a - b) };
  };
  await pass(Math.min(2_000, requests)); // warm-up: JIT, connections, caches
  const cpuBefore = cpuSecondsOf(ingress.pid);
  const started = performance.now();
  const { refused, latencies } = await pass(requests);
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = (cpuSecondsOf(ingress.pid) - cpuBefore) * 1000;
  process.stdout.write(
    `${JSON.stringify({
      requests,
      concurrency,
      refused,
      per_s: Math.round(requests / seconds),
      p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      ingress_cpu_ms_per_request: Number((cpuMs / requests).toFixed(3)),
      load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      pinned,
    })}\n`,
  );
} finally {
  ingress?.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await pool.end();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
