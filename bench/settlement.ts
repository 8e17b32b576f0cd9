/**
 * Benchmark `settlement`: finished jobs settled per second, with uniform accounts and with one hot
 * account, against a raw batched SQL settle in the same run (see /work/shared/BENCHMARKS.md).
 *
 *   pnpm bench settlement [--jobs 20000] [--rounds 3] [--budget 15 | --seconds 15]
 *   (or: node bench/settlement.ts …; BENCH_DATABASE_URL or --database-url picks the server)
 *
 * For each scenario and round: seed (bulk SQL) → baseline pass → verify → seed → imagegate pass →
 * verify. The imagegate pass calls `settleJob` of @imagegate/settlement-worker for every job, 32 at a
 * time over a pg pool of 32. The baseline settles the same data 1,000 jobs per statement. Both passes
 * are checked exactly: each job's debit and release equal to `chargeForJob` computed here, Σ debits =
 * Σ expected charges, and balance = Σ ledger, held = Σ ledger held = Σ open holds (0 when all are
 * settled). A pass takes no new job after `--budget` seconds (so a slow settle cannot make the run
 * take many minutes); it is then measured over the jobs it took, and the rest must be untouched.
 *
 * Progress goes to stderr; stdout gets one JSON document. The scratch database is always dropped.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  type CatalogModel,
  chargeForJob,
  type FrozenPrices,
  freezePrices,
  loadCatalog,
  maxUnitPrice,
  type PricedJob,
  withMarkup,
} from '@imagegate/catalog';
import { createPool, migrate, type Pool } from '@imagegate/db';
import { settleJob } from '@imagegate/settlement-worker';
import { printFigure } from './lib/report.ts';
import { median, round } from './lib/stats.ts';

const MODEL_ID = 'gpt-image-1-mini';
const CONCURRENCY = 32;
const BASELINE_BATCH = 1_000;
const UNIFORM_ACCOUNTS = 1_000;
const GRANT_MICROS = 1_000_000_000_000n; // $1M per account: far more than any hold total here
const VARIANTS = 997; // distinct (request, result, markup) shapes, spread over the jobs

type ScenarioName = 'uniform' | 'hot';
const SCENARIOS: { name: ScenarioName; accounts: number; target: number }[] = [
  { name: 'uniform', accounts: UNIFORM_ACCOUNTS, target: 5_000 },
  { name: 'hot', accounts: 1, target: 2_000 },
];

// ---------------------------------------------------------------------------------------------
// Arguments

function parseOptions(): { jobs: number; rounds: number; budgetS: number; databaseUrl: string } {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '3' },
      // A pass stops taking jobs after this many seconds and is measured over the jobs it took.
      budget: { type: 'string', default: '15' },
      // The duration option every figure takes (the smoke test runs each for about a second).
      seconds: { type: 'string' },
      'database-url': {
        type: 'string',
        default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      },
    },
    strict: true,
  });
  const jobs = Number(values.jobs);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${values.jobs}`);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  }
  const budgetS = Number(values.seconds ?? values.budget);
  if (!Number.isFinite(budgetS) || budgetS <= 0) throw new Error(`--budget must be > 0 seconds, got ${values.budget}`);
  return { jobs, rounds, budgetS, databaseUrl: values['database-url'] };
}

function log(message: string): void {
  console.error(`[settlement] ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Job shapes

interface Variant {
  v: number;
  request: Record<string, unknown>;
  parameters: Record<string, unknown>;
  images: { key: string; content_type: string; bytes: number }[];
  result: Record<string, unknown>;
  markup: number;
  hold: number;
  /** Frozen catalog price of one image of what was delivered, before markup (for the baseline). */
  unit: number;
  /** Images that count: min(delivered, n) (for the baseline). */
  delivered: number;
}

/** Deterministic PRNG (mulberry32), so every seed is the same data. */
function prng(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

function pick<T>(rand: (below: number) => number, values: readonly T[]): T {
  const value = values[rand(values.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
}

/** The unit price of a delivered image, looked up here without the catalog's pricing code. */
function unitPriceFor(prices: FrozenPrices, size: string, quality: string): bigint {
  const match = /^(\d+)x(\d+)$/.exec(size);
  const pixels = match ? Number(match[1]) * Number(match[2]) : Number.MAX_SAFE_INTEGER;
  const tier = prices.tiers.find((candidate) => pixels <= candidate.maxPixels) ?? prices.tiers.at(-1);
  const priced = quality === 'low' || quality === 'medium' || quality === 'high' ? quality : 'high';
  const value = tier?.micros[priced] ?? tier?.micros.high;
  if (value === undefined) throw new Error(`no price for ${size} ${quality}`);
  return BigInt(value);
}

function buildVariants(model: CatalogModel, prices: FrozenPrices): Variant[] {
  const rand = prng(20_240_611);
  const fixedSizes = ['1024x1024', '1536x1024', '1024x1536'];
  const variants: Variant[] = [];
  for (let v = 0; v < VARIANTS; v++) {
    const n = 1 + rand(4);
    // One job in five delivers fewer images than asked for (partial delivery).
    const made = rand(5) === 0 ? 1 + rand(n) : n;
    const size = pick(rand, [...fixedSizes, 'auto']);
    const quality = pick(rand, ['low', 'medium', 'high', 'auto'] as const);
    const resultSize = size === 'auto' ? pick(rand, fixedSizes) : size;
    const resultQuality = quality === 'auto' ? pick(rand, ['low', 'medium', 'high']) : quality;
    // Markups from the tiers and odd ones, so the half-up rounding is exercised.
    const markup = rand(2) === 0 ? pick(rand, [1200, 1300, 1400, 1500]) : 1000 + rand(1000);
    const hold = withMarkup(maxUnitPrice(model, prices, { size, quality }), markup) * BigInt(n);
    variants.push({
      v,
      request: { model: model.id, prompt: `bench variant ${v}`, n, size, quality },
      parameters: {
        n,
        size,
        quality,
        background: 'auto',
        outputFormat: 'png',
        providerModel: model.providerModel,
      },
      images: Array.from({ length: made }, (_, i) => ({
        key: `bench/${v}/${i}.png`,
        content_type: 'image/png',
        bytes: 1_048_576,
      })),
      result: {
        created: 1_760_000_000,
        size: resultSize,
        quality: resultQuality,
        output_format: 'png',
        background: 'opaque',
      },
      markup,
      hold: Number(hold),
      unit: Number(unitPriceFor(prices, resultSize, resultQuality)),
      delivered: Math.min(made, n),
    });
  }
  return variants;
}

// ---------------------------------------------------------------------------------------------
// Database

async function prepareScratchTables(pool: Pool, variants: Variant[]): Promise<void> {
  await pool.query(`
    create table bench_variant (
      v integer primary key, request jsonb not null, parameters jsonb not null, images jsonb not null,
      result jsonb not null, markup integer not null, hold bigint not null, unit bigint not null,
      delivered integer not null
    );
    -- The baseline's precomputed per-job charge inputs.
    create table bench_charge (job_id text primary key, unit_micros bigint not null, delivered integer not null);
  `);
  await pool.query(
    `insert into bench_variant
     select * from jsonb_to_recordset($1::jsonb) as x(v integer, request jsonb, parameters jsonb, images jsonb,
       result jsonb, markup integer, hold bigint, unit bigint, delivered integer)`,
    [JSON.stringify(variants)],
  );
}

/** Empties the money tables and bulk-inserts accounts, finished jobs with open holds, and their ledger. */
async function seed(pool: Pool, options: { jobs: number; accounts: number; prices: string }): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    // cascade: tables that reference jobs (webhook deliveries, and whatever comes next) go with them.
    await client.query('truncate ledger_entries, account_daily_spend, jobs, api_keys, accounts, bench_charge cascade');
    await client.query(
      `insert into accounts (id, name, balance_micros, held_micros)
       select 'acct_' || lpad(a::text, 26, '0'), 'bench ' || a, $2, 0 from generate_series(0, $1 - 1) a`,
      [options.accounts, GRANT_MICROS],
    );
    await client.query(
      `insert into ledger_entries (id, account_id, type, amount_micros, held_micros, reason)
       select 'led_0' || lpad(a::text, 25, '0'), 'acct_' || lpad(a::text, 26, '0'), 'grant', $2, 0, 'bench grant'
       from generate_series(0, $1 - 1) a`,
      [options.accounts, GRANT_MICROS],
    );
    await client.query(
      `insert into jobs (id, account_id, status, model, provider, request, parameters, response_format, progress,
         attempts, images, result, routing, markup_permille, prices, hold_micros, created_at, started_at, completed_at)
       select 'job_' || lpad(g::text, 26, '0'), 'acct_' || lpad((g % $2)::text, 26, '0'), 'succeeded', $3, 'openai',
         v.request, v.parameters, 'url', 'result_recorded', 1, v.images, v.result,
         jsonb_build_object('attempts', jsonb_build_array(jsonb_build_object(
           'provider', 'openai', 'model', $3::text, 'status', 'succeeded', 'duration_ms', 2000))),
         v.markup, jsonb_build_object($3::text, $4::jsonb), v.hold,
         now() - interval '10 seconds', now() - interval '9 seconds', now() - interval '5 seconds'
       from generate_series(1, $1) g join bench_variant v on v.v = g % $5`,
      [options.jobs, options.accounts, MODEL_ID, options.prices, VARIANTS],
    );
    await client.query(
      `insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
       select 'led_1' || right(j.id, 25), j.account_id, 'hold', 0, j.hold_micros, j.id from jobs j`,
    );
    await client.query(
      `update accounts a set held_micros = s.held
       from (select account_id, sum(hold_micros) as held from jobs group by account_id) s where a.id = s.account_id`,
    );
    await client.query(
      `insert into bench_charge (job_id, unit_micros, delivered)
       select 'job_' || lpad(g::text, 26, '0'), v.unit, v.delivered
       from generate_series(1, $1) g join bench_variant v on v.v = g % $2`,
      [options.jobs, VARIANTS],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  // Same starting state for both passes: fresh statistics, no checkpoint pending from the seed.
  await pool.query('analyze');
  await pool.query('checkpoint');
}

interface SeededJob extends PricedJob {
  id: string;
}

/** Every job's charge, computed here with `chargeForJob` from what the seed stored. */
async function expectedCharges(pool: Pool): Promise<{ byJob: Map<string, bigint>; ids: string[]; total: bigint }> {
  const { rows } = await pool.query<SeededJob>(
    'select id, model, prices, markup_permille, hold_micros, images, result, request from jobs order by id',
  );
  const byJob = new Map<string, bigint>();
  let total = 0n;
  for (const row of rows) {
    const charge = chargeForJob(row).chargeMicros;
    byJob.set(row.id, charge);
    total += charge;
  }
  return { byJob, ids: rows.map((row) => row.id), total };
}

// ---------------------------------------------------------------------------------------------
// Passes

interface PassResult {
  /** Jobs taken in this pass: all of them, or the first ones when the time budget ran out. */
  attempted: number;
  perSecond: number;
  seconds: number;
  budgetHit: boolean;
  errors: number;
  firstError: string | undefined;
  notSettled: number;
  /** CPU this (Node) process spent per job, in µs. */
  clientCpuUsPerJob: number;
  /** How busy the whole machine was during the pass (all processes, all cores), in %. */
  machineBusyPct: number;
}

interface PassOutcome {
  attempted: number;
  budgetHit: boolean;
  errors: number;
  firstError: string | undefined;
  notSettled: number;
}

/** Busy and total jiffies of all cores, from /proc/stat (zeros where there is none). */
function cpuTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Runs one timed pass: wall time, this process's CPU and the machine's CPU while it ran. */
async function timed(run: (deadline: number) => Promise<PassOutcome>, budgetS: number): Promise<PassResult> {
  const ticks = cpuTicks();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome = await run(started + budgetS * 1000);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const after = cpuTicks();
  const total = after.total - ticks.total;
  const jobs = Math.max(outcome.attempted, 1);
  return {
    ...outcome,
    perSecond: outcome.attempted / seconds,
    seconds,
    clientCpuUsPerJob: (used.user + used.system) / jobs,
    machineBusyPct: total > 0 ? (100 * (after.busy - ticks.busy)) / total : Number.NaN,
  };
}

type Pass = (url: string, ids: readonly string[], budgetS: number, pools: Set<Pool>) => Promise<PassResult>;

/** settleJob for every job in id order, CONCURRENCY at a time; no new job is taken after the deadline. */
const imagegatePass: Pass = async (url, ids, budgetS, pools) => {
  const pool = createPool(url, { max: CONCURRENCY, applicationName: 'imagegate-bench-settle' });
  pools.add(pool);
  try {
    // Open every connection before the clock starts.
    const clients = await Promise.all(Array.from({ length: CONCURRENCY }, () => pool.connect()));
    for (const client of clients) client.release();
    return await timed(async (deadline) => {
      let next = 0;
      let budgetHit = false;
      let errors = 0;
      let notSettled = 0;
      let firstError: string | undefined;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (;;) {
            if (next < ids.length && performance.now() > deadline) budgetHit = true;
            if (budgetHit) return;
            const id = ids[next++];
            if (id === undefined) return;
            try {
              const outcome = await settleJob(pool, id);
              if (!outcome.settled) notSettled++;
            } catch (error) {
              errors++;
              firstError ??= error instanceof Error ? error.message : String(error);
            }
          }
        }),
      );
      return { attempted: Math.min(next, ids.length), budgetHit, errors, firstError, notSettled };
    }, budgetS);
  } finally {
    pools.delete(pool);
    await pool.end();
  }
};

/**
 * The raw batched SQL settle: per statement, lock up to 1,000 jobs, compute each charge in SQL
 * (unit × markup rounded half up × images, capped at the hold), apply per-account sums, write the
 * debit/release ledger rows and the daily spend, and mark the jobs settled.
 */
const BASELINE_SETTLE_SQL = `
  with batch as materialized (
    select j.id, j.account_id, j.hold_micros,
      case when j.status = 'succeeded'
        then least(((c.unit_micros * j.markup_permille + 500) / 1000) * c.delivered, j.hold_micros)
        else 0 end::bigint as charged
    from jobs j join bench_charge c on c.job_id = j.id
    where j.id = any($1::text[]) and j.settled_at is null and j.status in ('succeeded', 'failed', 'canceled')
    for update of j
  ),
  per_account as (
    select account_id, sum(charged)::bigint as charged, sum(hold_micros)::bigint as held
    from batch group by account_id
  ),
  accounts_done as (
    update accounts a set balance_micros = a.balance_micros - p.charged, held_micros = a.held_micros - p.held
    from per_account p where a.id = p.account_id returning 1
  ),
  spend as (
    insert into account_daily_spend (account_id, day, micros)
    select account_id, current_date, charged from per_account where charged > 0
    on conflict (account_id, day) do update set micros = account_daily_spend.micros + excluded.micros
    returning 1
  ),
  ledger as (
    insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
    select 'led_' || replace(gen_random_uuid()::text, '-', ''), account_id, 'debit', -charged, -charged, id
    from batch where charged > 0
    union all
    select 'led_' || replace(gen_random_uuid()::text, '-', ''), account_id, 'release', 0, -(hold_micros - charged), id
    from batch where hold_micros > charged
    returning 1
  ),
  settled as (
    update jobs j set settled_at = now(), charged_micros = b.charged from batch b where j.id = b.id returning 1
  )
  select count(*)::integer as settled from settled`;

/** The baseline, one statement per BASELINE_BATCH jobs on one connection, under the same time budget. */
const baselinePass: Pass = async (url, ids, budgetS, pools) => {
  const pool = createPool(url, { max: 1, applicationName: 'imagegate-bench-baseline' });
  pools.add(pool);
  try {
    await pool.query('select 1');
    return await timed(async (deadline) => {
      let attempted = 0;
      let settled = 0;
      while (attempted < ids.length && performance.now() <= deadline) {
        const batch = ids.slice(attempted, attempted + BASELINE_BATCH);
        const { rows } = await pool.query<{ settled: number }>(BASELINE_SETTLE_SQL, [batch]);
        settled += rows[0]?.settled ?? 0;
        attempted += batch.length;
      }
      return {
        attempted,
        budgetHit: attempted < ids.length,
        errors: 0,
        firstError: undefined,
        notSettled: attempted - settled,
      };
    }, budgetS);
  } finally {
    pools.delete(pool);
    await pool.end();
  }
};

// ---------------------------------------------------------------------------------------------
// Verification

interface Verification {
  exact: boolean;
  /** Σ debit entries, and Σ chargeForJob over the jobs the pass took. */
  debitSum: bigint;
  expectedSum: bigint;
  problems: string[];
}

/**
 * Checks a pass exactly. The first `attempted` jobs (id order) must be settled with a debit of
 * chargeForJob and a release of the rest of the hold; any others must be untouched with their hold
 * open. Every account: balance = Σ ledger amounts, held = Σ ledger held = Σ open holds.
 */
async function verify(
  pool: Pool,
  expected: { byJob: Map<string, bigint>; ids: readonly string[] },
  attempted: number,
): Promise<Verification> {
  const problems: string[] = [];
  const taken = new Set(expected.ids.slice(0, attempted));
  let expectedSum = 0n;
  for (const id of taken) expectedSum += expected.byJob.get(id) ?? 0n;
  const { rows } = await pool.query<{
    id: string;
    settled: boolean;
    charged_micros: bigint | null;
    hold_micros: bigint;
    debit_amount: bigint | null;
    debit_held: bigint | null;
    release_amount: bigint | null;
    release_held: bigint | null;
  }>(
    `select j.id, j.settled_at is not null as settled, j.charged_micros, j.hold_micros,
       d.amount_micros as debit_amount, d.held_micros as debit_held,
       r.amount_micros as release_amount, r.held_micros as release_held
     from jobs j
     left join ledger_entries d on d.job_id = j.id and d.type = 'debit'
     left join ledger_entries r on r.job_id = j.id and r.type = 'release'`,
  );
  let unsettled = 0;
  let touched = 0;
  let wrongCharge = 0;
  let wrongDebit = 0;
  let wrongRelease = 0;
  for (const row of rows) {
    const charge = expected.byJob.get(row.id);
    if (charge === undefined) {
      problems.push(`job ${row.id} was not seeded`);
      continue;
    }
    if (!taken.has(row.id)) {
      if (row.settled || row.charged_micros !== null || row.debit_amount !== null || row.release_amount !== null) {
        touched++;
      }
      continue;
    }
    if (!row.settled) unsettled++;
    if (row.charged_micros !== charge) wrongCharge++;
    const debitOk =
      charge === 0n ? row.debit_amount === null : row.debit_amount === -charge && row.debit_held === -charge;
    if (!debitOk) wrongDebit++;
    const released = row.hold_micros - charge;
    const releaseOk =
      released === 0n ? row.release_amount === null : row.release_amount === 0n && row.release_held === -released;
    if (!releaseOk) wrongRelease++;
  }
  if (rows.length !== expected.byJob.size) {
    problems.push(`${rows.length} jobs in the table, ${expected.byJob.size} seeded`);
  }
  if (unsettled > 0) problems.push(`${unsettled} jobs not settled`);
  if (touched > 0) problems.push(`${touched} jobs settled that the pass never took`);
  if (wrongCharge > 0) problems.push(`${wrongCharge} jobs with charged_micros ≠ chargeForJob`);
  if (wrongDebit > 0) problems.push(`${wrongDebit} jobs with a debit entry ≠ chargeForJob`);
  if (wrongRelease > 0) problems.push(`${wrongRelease} jobs with a release entry ≠ hold − charge`);

  const sums = await pool.query<{ debits: bigint; spend: bigint }>(
    `select coalesce(-sum(amount_micros) filter (where type = 'debit'), 0)::bigint as debits,
       (select coalesce(sum(micros), 0)::bigint from account_daily_spend) as spend
     from ledger_entries`,
  );
  const debitSum = sums.rows[0]?.debits ?? -1n;
  if (debitSum !== expectedSum) problems.push(`Σ debits ${debitSum} ≠ Σ chargeForJob ${expectedSum}`);
  const spend = sums.rows[0]?.spend ?? -1n;
  if (spend !== expectedSum) problems.push(`Σ daily spend ${spend} ≠ Σ chargeForJob ${expectedSum}`);

  const violations = await pool.query<{
    id: string;
    balance: bigint;
    ledger: bigint;
    held: bigint;
    ledger_held: bigint;
    open_holds: bigint;
  }>(
    `with l as (
       select account_id, sum(amount_micros)::bigint as balance, sum(held_micros)::bigint as held
       from ledger_entries group by account_id
     ), o as (
       select account_id, sum(hold_micros)::bigint as held from jobs where settled_at is null group by account_id
     )
     select a.id, a.balance_micros as balance, coalesce(l.balance, 0)::bigint as ledger,
       a.held_micros as held, coalesce(l.held, 0)::bigint as ledger_held, coalesce(o.held, 0)::bigint as open_holds
     from accounts a left join l on l.account_id = a.id left join o on o.account_id = a.id
     where a.balance_micros <> coalesce(l.balance, 0) or a.held_micros <> coalesce(l.held, 0)
       or a.held_micros <> coalesce(o.held, 0)`,
  );
  for (const row of violations.rows.slice(0, 3)) {
    problems.push(
      `account ${row.id}: balance ${row.balance} vs ledger ${row.ledger}, ` +
        `held ${row.held} vs ledger ${row.ledger_held} vs open holds ${row.open_holds}`,
    );
  }
  if (violations.rows.length > 3) {
    problems.push(`… and ${violations.rows.length - 3} more accounts break the invariants`);
  }
  return { exact: problems.length === 0, debitSum, expectedSum, problems };
}

// ---------------------------------------------------------------------------------------------
// Reporting helpers

interface ScenarioReport {
  jobs: number;
  accounts: number;
  imagegate_per_s: number[];
  baseline_per_s: number[];
  ratios: number[];
  median_imagegate_per_s: number;
  median_baseline_per_s: number;
  ratio: number;
  target_per_s: number;
  pass: boolean;
  exact: boolean;
  /** Σ chargeForJob over all seeded jobs. */
  expected_charge_micros: string;
  /** Per round: jobs the pass settled (all, unless the time budget ran out), Σ debits, Σ expected. */
  imagegate_jobs_settled: number[];
  baseline_jobs_settled: number[];
  imagegate_debit_micros: string[];
  imagegate_expected_micros: string[];
  baseline_debit_micros: string[];
  baseline_expected_micros: string[];
  imagegate_errors: number;
  /** Where the time goes: this process's CPU per job, and how busy the machine was, per round. */
  imagegate_client_cpu_us_per_job: number[];
  baseline_client_cpu_us_per_job: number[];
  imagegate_machine_busy_pct: number[];
  baseline_machine_busy_pct: number[];
  problems: string[];
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const options = parseOptions();
  const pools = new Set<Pool>();
  const admin = createPool(options.databaseUrl, { max: 1, applicationName: 'imagegate-bench-admin' });
  const databaseName = `imagegate_bench_${randomBytes(6).toString('hex')}`;
  const benchUrl = new URL(options.databaseUrl);
  benchUrl.pathname = `/${databaseName}`;
  let created = false;
  let cleaned = false;

  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    for (const pool of pools) await pool.end().catch(() => {});
    if (created) {
      await admin
        .query(`drop database if exists ${databaseName} with (force)`)
        .then(() => log(`dropped ${databaseName}`))
        .catch((error: unknown) => log(`could not drop ${databaseName}: ${String(error)}`));
    }
    await admin.end().catch(() => {});
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const versions = await admin.query<{ version: string; sync: string }>(
      `select current_setting('server_version') as version, current_setting('synchronous_commit') as sync`,
    );
    await admin.query(`create database ${databaseName}`);
    created = true;
    log(`created ${databaseName}`);

    const pool = createPool(benchUrl.toString(), { max: 2, applicationName: 'imagegate-bench-setup' });
    pools.add(pool);
    await migrate(pool);

    const model = loadCatalog().resolve(MODEL_ID);
    const frozen = freezePrices(model);
    const variants = buildVariants(model, frozen);
    await prepareScratchTables(pool, variants);
    const prices = JSON.stringify(frozen);

    const scenarios: Partial<Record<ScenarioName, ScenarioReport>> = {};
    for (const scenario of SCENARIOS) {
      const report: ScenarioReport = {
        jobs: options.jobs,
        accounts: scenario.accounts,
        imagegate_per_s: [],
        baseline_per_s: [],
        ratios: [],
        median_imagegate_per_s: 0,
        median_baseline_per_s: 0,
        ratio: 0,
        target_per_s: scenario.target,
        pass: false,
        exact: true,
        expected_charge_micros: '0',
        imagegate_jobs_settled: [],
        baseline_jobs_settled: [],
        imagegate_debit_micros: [],
        imagegate_expected_micros: [],
        baseline_debit_micros: [],
        baseline_expected_micros: [],
        imagegate_errors: 0,
        imagegate_client_cpu_us_per_job: [],
        baseline_client_cpu_us_per_job: [],
        imagegate_machine_busy_pct: [],
        baseline_machine_busy_pct: [],
        problems: [],
      };
      const seedOptions = { jobs: options.jobs, accounts: scenario.accounts, prices };
      for (let round_ = 1; round_ <= options.rounds; round_++) {
        const passes: { name: 'baseline' | 'imagegate'; run: Pass }[] = [
          { name: 'baseline', run: baselinePass },
          { name: 'imagegate', run: imagegatePass },
        ];
        const rates: Record<'baseline' | 'imagegate', number> = { baseline: 0, imagegate: 0 };
        for (const pass of passes) {
          const seedStarted = performance.now();
          await seed(pool, seedOptions);
          const expected = await expectedCharges(pool);
          report.expected_charge_micros = String(expected.total);
          log(
            `${scenario.name} round ${round_}: seeded ${expected.ids.length} jobs on ${scenario.accounts} account(s) ` +
              `in ${round((performance.now() - seedStarted) / 1000, 1)} s; settling with ${pass.name}`,
          );
          const result = await pass.run(benchUrl.toString(), expected.ids, options.budgetS, pools);
          const check = await verify(pool, expected, result.attempted);
          rates[pass.name] = result.perSecond;
          if (pass.name === 'imagegate') {
            report.imagegate_per_s.push(round(result.perSecond, 0));
            report.imagegate_jobs_settled.push(result.attempted - result.notSettled - result.errors);
            report.imagegate_debit_micros.push(String(check.debitSum));
            report.imagegate_expected_micros.push(String(check.expectedSum));
            report.imagegate_errors += result.errors;
            report.imagegate_client_cpu_us_per_job.push(round(result.clientCpuUsPerJob, 0));
            report.imagegate_machine_busy_pct.push(round(result.machineBusyPct, 0));
          } else {
            report.baseline_per_s.push(round(result.perSecond, 0));
            report.baseline_jobs_settled.push(result.attempted - result.notSettled);
            report.baseline_debit_micros.push(String(check.debitSum));
            report.baseline_expected_micros.push(String(check.expectedSum));
            report.baseline_client_cpu_us_per_job.push(round(result.clientCpuUsPerJob, 0));
            report.baseline_machine_busy_pct.push(round(result.machineBusyPct, 0));
          }
          const problems = [...check.problems];
          if (result.errors > 0) problems.push(`${result.errors} settle calls threw, first: ${result.firstError}`);
          if (result.notSettled > 0) problems.push(`${result.notSettled} jobs reported nothing to settle`);
          for (const problem of problems) report.problems.push(`round ${round_} ${pass.name}: ${problem}`);
          if (problems.length > 0) report.exact = false;
          log(
            `${scenario.name} round ${round_} ${pass.name}: ${round(result.perSecond, 0)} jobs/s ` +
              `(${result.attempted} jobs in ${round(result.seconds, 2)} s${result.budgetHit ? ', time budget hit' : ''}, client ${round(result.clientCpuUsPerJob, 0)} µs CPU/job, ` +
              `machine ${round(result.machineBusyPct, 0)} % busy), ${problems.length === 0 ? 'exact' : problems.join('; ')}`,
          );
        }
        report.ratios.push(round(rates.imagegate / rates.baseline, 3));
      }
      report.median_imagegate_per_s = round(median(report.imagegate_per_s), 0);
      report.median_baseline_per_s = round(median(report.baseline_per_s), 0);
      report.ratio = round(median(report.ratios), 3);
      report.pass = report.exact && report.median_imagegate_per_s >= scenario.target;
      scenarios[scenario.name] = report;
    }

    const uniform = scenarios.uniform;
    const hot = scenarios.hot;
    const results = {
      uniform_per_s: uniform?.median_imagegate_per_s ?? 0,
      hot_per_s: hot?.median_imagegate_per_s ?? 0,
      uniform_baseline_per_s: uniform?.median_baseline_per_s ?? 0,
      hot_baseline_per_s: hot?.median_baseline_per_s ?? 0,
      hot_ratio: hot?.ratio ?? 0,
      exact: uniform?.exact && hot?.exact ? 1 : 0,
    };
    printFigure({
      name: 'settlement',
      pass: (uniform?.pass ?? false) && (hot?.pass ?? false),
      ratio: uniform?.ratio ?? null,
      ratio_meaning: 'uniform scenario: imagegate settles/s / raw batched SQL settles/s, median of per-round ratios',
      results,
      targets: { uniform_per_s_min: 5_000, hot_per_s_min: 2_000, exact_min: 1 },
      method: {
        model: MODEL_ID,
        jobs: options.jobs,
        rounds: options.rounds,
        budget_s: options.budgetS,
        budget:
          'a pass takes no new job after budget_s seconds; its rate is over the jobs it took, and the rest must be untouched',
        order: 'per round: seed, baseline, verify, seed, imagegate, verify',
        imagegate: `settleJob per job, ${CONCURRENCY} in flight over a pg pool of ${CONCURRENCY}`,
        baseline: `raw batched SQL settle, ${BASELINE_BATCH} jobs per statement, one connection`,
        postgres_synchronous_commit: versions.rows[0]?.sync ?? 'unknown',
      },
      pinning: 'not applied: the shared local Postgres serves both passes on both cores',
      rounds: SCENARIOS.flatMap((scenario) =>
        (scenarios[scenario.name]?.imagegate_per_s ?? []).map((perSecond, index) => ({
          scenario: scenario.name,
          round: index + 1,
          imagegate_per_s: perSecond,
          baseline_per_s: scenarios[scenario.name]?.baseline_per_s[index],
          ratio: scenarios[scenario.name]?.ratios[index],
        })),
      ),
      details: { scenarios },
    });
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
