import { RETIRED_MODELS_FILE } from '@imagegate/catalog';
import { findMoneyViolations, testServices, waitForSettlements } from '@imagegate/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CallRecorder } from '../support/call-recorder.ts';
import { type OwnRedis, startOwnRedis } from '../support/own-redis.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process.ts';

/**
 * Issue 5's chaos run: a few hundred jobs (sync and async, mostly OpenAI with random 500s and
 * 429s, some Imagen and FLUX) while worker processes are SIGKILLed and restarted every 2.5 s,
 * Redis is flushed once and restarted empty once, and every Postgres backend of the test database
 * is terminated once. Every accepted job must end, none twice charged, and the upstream must not
 * be called more than the faults explain.
 */

const JOBS = 300;
const SUBMIT_SPAN_MS = 24_000;
const WORKERS = 3;
const KILL_EVERY_MS = 2_500;
const CHAOS_UNTIL_MS = 27_000;
const FLUSH_AT_MS = 7_000;
const REDIS_RESTART_AT_MS = 14_000;
const PG_TERMINATE_AT_MS = 20_000;
/** Every job must be finished this long after the first submission. */
const BOUND_MS = 85_000;

let redis: OwnRedis;
let stack: TestStack;
let caller: TestAccount;
const workers: WorkerProcess[] = [];
/** Every worker process started, killed ones too (for their logs). */
const everyWorker: WorkerProcess[] = [];
/** When each SIGKILLed worker died (epoch ms). */
const killedAt = new Map<WorkerProcess, number>();
/** Which worker process made each OpenAI call. */
let recorder: CallRecorder;
const labels = new Map<WorkerProcess, string>();
/** Submissions that had to be sent again (5xx or no answer). */
let retriedSubmissions = 0;

beforeAll(async () => {
  redis = await startOwnRedis(testServices().redisUrl);
  stack = await startTestStack({
    providerWorker: false,
    // 300 ms per OpenAI call keeps some calls in flight at every kill.
    emulator: { latencyMs: 300, seed: 5 },
    env: {
      // Imagen 4 is retired; brought back as an operator would, it keeps this test's Google load as it was.
      CATALOG_FILE: RETIRED_MODELS_FILE,
      REDIS_URL: redis.url,
      // Settlements Redis lost are swept within seconds, not the production 30 s.
      SETTLEMENT_SWEEP_INTERVAL_MS: '1000',
      SETTLEMENT_SWEEP_GRACE_S: '3',
    },
  });
  stack.emulator.faults.configure({ rates: { error500: 0.05, rateLimit429: 0.02, retryAfterS: 1 } });
  caller = await stack.createAccount('chaos', 1_000);
  recorder = new CallRecorder(stack.emulator.url);
});
afterAll(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill('SIGKILL')));
  await stack?.stop();
  await redis?.stop();
  await recorder?.close();
});

async function startWorker(): Promise<WorkerProcess> {
  const label = `worker-${everyWorker.length + workers.length}-${Date.now()}`;
  const worker = await spawnWorkerProcess({
    ...stack.env,
    OPENAI_BASE_URL: await recorder.open(label),
    WORKER_PROVIDERS: 'openai,google,bfl',
    WORKER_CONCURRENCY: '20',
    DATABASE_POOL_SIZE: '4',
    // Lost jobs are looked for every 2 s once 8 s old (production: every 10 s once 20 s old).
    RECONCILE_INTERVAL_MS: '2000',
    RECONCILE_GRACE_S: '8',
  });
  labels.set(worker, label);
  workers.push(worker);
  everyWorker.push(worker);
  return worker;
}

function requestOf(index: number): { body: Record<string, unknown>; provider: string; sync: boolean } {
  const sync = index % 2 === 0;
  const metadata = { chaos: String(index) };
  if (index % 20 === 19) {
    return { provider: 'bfl', sync, body: { model: 'flux-2-pro', prompt: `chaos ${index}`, metadata } };
  }
  if (index % 10 === 9) {
    return { provider: 'google', sync, body: { model: 'imagen-4-0', prompt: `chaos ${index}`, metadata } };
  }
  return {
    provider: 'openai',
    sync,
    body: { model: 'gpt-image-2.6-flare', prompt: `chaos ${index}`, quality: 'low', size: '1024x1024', metadata },
  };
}

/**
 * Submits like a careful client: an Idempotency-Key, and a retry of the same request when the
 * gateway answers 5xx or the connection fails (a replay returns the same job). Returns the last
 * HTTP status, or 0 when no answer ever came.
 */
async function submit(index: number): Promise<number> {
  const { body, sync } = requestOf(index);
  let status = 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      const response = await fetch(`${stack.baseURL}/images/generations`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${caller.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': `chaos-${index}`,
          ...(sync ? {} : { prefer: 'respond-async' }),
        },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      status = response.status;
      if (status < 500) return status;
    } catch {
      status = 0;
    }
    retriedSubmissions++;
    await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
  }
  return status;
}

/**
 * 200 answers a worker got and could not store because it was SIGKILLed first: the answer came
 * before the kill, and the job was called again after it by another worker.
 */
function callsLostWithAKilledWorker(): number {
  const killTimeOf = new Map([...labels].map(([worker, label]) => [label, killedAt.get(worker)]));
  return recorder.calls.filter((call) => {
    const killed = killTimeOf.get(call.worker);
    if (call.status !== 200 || killed === undefined || killed < call.at) return false;
    return recorder.calls.some(
      (later) => later.prompt === call.prompt && later.worker !== call.worker && later.at > killed,
    );
  }).length;
}

async function unfinishedJobs(): Promise<number> {
  const { rows } = await stack.database.pool.query<{ n: number }>(
    "select count(*)::int as n from jobs where status in ('queued', 'in_progress')",
  );
  return rows[0]?.n ?? -1;
}

/** Runs `action` at `atMs` after `start`. */
function at(start: number, atMs: number, action: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    setTimeout(() => action().then(resolve, reject), Math.max(0, start + atMs - Date.now()));
  });
}

it('finishes every accepted job once, through worker kills, a Redis flush and restart, and a Postgres outage', async () => {
  for (let index = 0; index < WORKERS; index++) await startWorker();
  stack.emulator.resetStats();
  const start = Date.now();
  let kills = 0;
  const killing = (async () => {
    const replacements: Promise<WorkerProcess>[] = [];
    while (Date.now() - start + KILL_EVERY_MS < CHAOS_UNTIL_MS) {
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
      if (victim === undefined) continue;
      await victim.kill('SIGKILL');
      killedAt.set(victim, Date.now());
      kills++;
      // The replacement boots while the next kill is already counting down.
      replacements.push(startWorker());
    }
    await Promise.all(replacements);
  })();
  const outages = Promise.all([
    at(start, FLUSH_AT_MS, () => redis.flush(stack.env.REDIS_PREFIX ?? '')),
    at(start, REDIS_RESTART_AT_MS, () => redis.restart(1_000)),
    at(start, PG_TERMINATE_AT_MS, async () => {
      await stack.database.pool.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
    }),
  ]);
  const statuses = await Promise.all(
    Array.from({ length: JOBS }, (_, index) =>
      at(start, (index * SUBMIT_SPAN_MS) / JOBS, async () => {}).then(() => submit(index)),
    ),
  );
  await Promise.all([killing, outages]);
  const chaosEndedMs = Date.now() - start;

  while ((await unfinishedJobs()) > 0 && Date.now() - start < BOUND_MS) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const finishedMs = Date.now() - start;
  await waitForSettlements(stack.database.pool, 20_000);

  const { rows: jobs } = await stack.database.pool.query<{
    chaos: string;
    provider: string;
    status: string;
    error_code: string | null;
    attempts: number;
    charged_micros: bigint | null;
  }>(
    `select metadata->>'chaos' as chaos, provider, status, error->>'code' as error_code, attempts, charged_micros
     from jobs order by id`,
  );
  const { rows: doubleDebits } = await stack.database.pool.query(
    "select job_id from ledger_entries where type = 'debit' group by job_id having count(*) > 1",
  );
  const openai = stack.emulator.stats();
  const openaiJobs = jobs.filter((job) => job.provider === 'openai').length;
  const injected = (openai.byStatus['500'] ?? 0) + (openai.byStatus['429'] ?? 0);
  const killedCalls = openai.byStatus.aborted ?? 0;
  const lostWithWorker = callsLostWithAKilledWorker();
  // The issue's measure: upstream calls beyond those the injected faults make necessary. A 500 or
  // 429 is followed by a retry by design; a call cut off by a SIGKILL, or answered just before the
  // SIGKILL but not yet stored, is redone by the worker that takes the job over. None of these is
  // waste. What is left is one call per job plus true duplicates (two live workers on one job, a
  // call after the images were stored, a job re-run although it was still running).
  const callsPerJob = (openai.calls - injected - killedCalls - lostWithWorker) / openaiJobs;
  const byStatus = Object.groupBy(jobs, (job) => `${job.status}${job.error_code ? `:${job.error_code}` : ''}`);
  const logs = everyWorker.flatMap((worker) => worker.logs());
  const summary = {
    jobs: jobs.length,
    kills,
    chaosEndedMs,
    finishedMs,
    statuses: Object.fromEntries(Object.entries(byStatus).map(([key, group]) => [key, group?.length ?? 0])),
    httpStatuses: Object.groupBy(statuses, (status) => String(status)),
    retriedSubmissions,
    openai: { jobs: openaiJobs, calls: openai.calls, byStatus: openai.byStatus, lostWithWorker, callsPerJob },
    reenqueued: logs.filter((line) => String(line.msg).startsWith('reconciler: queue entry')).length,
    abandoned: logs.filter((line) => line.msg === 'reconciler: job abandoned').length,
    maxAttempts: Math.max(...jobs.map((job) => job.attempts)),
  };
  // The run's numbers, for the issue and for anyone chasing a failure.
  process.stdout.write(
    `chaos summary ${JSON.stringify({
      ...summary,
      httpStatuses: Object.fromEntries(
        Object.entries(summary.httpStatuses).map(([key, group]) => [key, group?.length]),
      ),
    })}\n`,
  );

  // Every submission was answered with a job (no connection left unanswered), and is one job.
  expect(statuses.filter((status) => status === 0)).toEqual([]);
  expect(jobs.length).toBe(JOBS);
  expect(new Set(jobs.map((job) => job.chaos)).size).toBe(JOBS);
  // 0 lost: every job ended within the bound.
  expect(jobs.filter((job) => !['succeeded', 'failed', 'canceled'].includes(job.status))).toEqual([]);
  expect(finishedMs).toBeLessThan(BOUND_MS);
  // Failures only where the upstream failed three times running (rare at 7 %).
  expect(jobs.filter((job) => job.status === 'failed').length).toBeLessThanOrEqual(3);
  // 0 double debits; balances equal the ledger; a failed job costs nothing.
  expect(doubleDebits).toEqual([]);
  expect(await findMoneyViolations(stack.database.pool)).toEqual([]);
  expect(jobs.filter((job) => job.charged_micros === null)).toEqual([]);
  expect(jobs.filter((job) => job.status === 'failed' && job.charged_micros !== 0n)).toEqual([]);
  expect(callsPerJob).toBeLessThanOrEqual(1.02);
}, 120_000);
