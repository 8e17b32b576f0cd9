/**
 * Benchmark `settlement`: finished jobs settled per second, with uniform accounts and with one hot
 * account, against a raw batched SQL settle in the same run (see docs/benchmarks.md).
 *
 *   pnpm bench settlement [--jobs 20000] [--rounds 3] [--budget 15 | --seconds 15]
 *   (or: node bench/settlement.ts …; BENCH_DATABASE_URL or --database-url picks the Postgres server,
 *   REDIS_URL the Redis server)
 *
 * For each scenario and round: seed (bulk SQL) → baseline pass → verify → seed → imagegate pass →
 * verify.
 * - imagegate = the production path: the REAL settlement worker (`startSettlementWorkerFromConfig` with its
 *   default config — entries in hand, batch size and wait, pool size) running in this process,
 *   draining one settlement stream entry per job from Redis in batches (bench/lib/settlement-worker-pass.ts).
 *   The entries are added before the worker starts; the clock runs from its start to the last
 *   acknowledgement, so the CPU a pass costs is the worker's, Redis's and Postgres's. To try other
 *   settings, set SETTLEMENT_CONCURRENCY, SETTLEMENT_BATCH_SIZE, SETTLEMENT_BATCH_WAIT_MS or
 *   DATABASE_POOL_SIZE in the environment (the method in the report names what ran).
 * - baseline = raw batched SQL, 1,000 jobs per statement on one connection, charges precomputed
 *   (bench/lib/settlement-baseline.ts).
 * Both passes are checked exactly (bench/lib/settlement-verify.ts): each job's debit and release
 * equal to `chargeForJob` computed here, Σ debits = Σ expected charges, and balance = Σ ledger,
 * held = Σ ledger held = Σ open holds (0 when all are settled). A pass takes no new job after
 * `--budget` seconds (so a slow settle cannot make the run take many minutes); it is then measured
 * over the jobs it took, and the rest must be untouched.
 *
 * Progress goes to stderr; stdout gets one JSON document. The scratch database and Redis keys are
 * always removed.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freezePrices, loadCatalog } from '@imagegate/catalog';
import { createPool, migrate, type Pool } from '@imagegate/db';
import type { Pass } from './lib/pass-timing.ts';
import { printFigure } from './lib/report.ts';
import { BASELINE_BATCH, baselinePass } from './lib/settlement-baseline.ts';
import {
  buildVariants,
  expectedCharges,
  MODEL_ID,
  prepareScratchTables,
  seedSettlementData,
} from './lib/settlement-data.ts';
import { verifySettlement } from './lib/settlement-verify.ts';
import { workerPass, workerSettings } from './lib/settlement-worker-pass.ts';
import { REDIS_URL } from './lib/stack.ts';
import { median, round } from './lib/stats.ts';

const UNIFORM_ACCOUNTS = 1_000;

type ScenarioName = 'uniform' | 'hot';
const SCENARIOS: { name: ScenarioName; accounts: number; target: number }[] = [
  // Issue 19's targets: 10,000 settled per second, spread over many accounts and on one.
  { name: 'uniform', accounts: UNIFORM_ACCOUNTS, target: 10_000 },
  { name: 'hot', accounts: 1, target: 10_000 },
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
  /** Where the time goes: this process's CPU per job (the worker's, for imagegate), and how busy the machine was. */
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

    const settings = workerSettings(benchUrl.toString());
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
          { name: 'imagegate', run: workerPass },
        ];
        const rates: Record<'baseline' | 'imagegate', number> = { baseline: 0, imagegate: 0 };
        for (const pass of passes) {
          const seedStarted = performance.now();
          await seedSettlementData(pool, seedOptions);
          const expected = await expectedCharges(pool);
          report.expected_charge_micros = String(expected.total);
          log(
            `${scenario.name} round ${round_}: seeded ${expected.ids.length} jobs on ${scenario.accounts} account(s) ` +
              `in ${round((performance.now() - seedStarted) / 1000, 1)} s; settling with ${pass.name}`,
          );
          const result = await pass.run({
            databaseUrl: benchUrl.toString(),
            redisUrl: REDIS_URL,
            ids: expected.ids,
            budgetS: options.budgetS,
          });
          const check = await verifySettlement(pool, expected, result.taken);
          rates[pass.name] = result.perSecond;
          if (pass.name === 'imagegate') {
            report.imagegate_per_s.push(round(result.perSecond, 0));
            report.imagegate_jobs_settled.push(result.taken.size);
            report.imagegate_debit_micros.push(String(check.debitSum));
            report.imagegate_expected_micros.push(String(check.expectedSum));
            report.imagegate_errors += result.errors;
            report.imagegate_client_cpu_us_per_job.push(round(result.clientCpuUsPerJob, 0));
            report.imagegate_machine_busy_pct.push(round(result.machineBusyPct, 0));
          } else {
            report.baseline_per_s.push(round(result.perSecond, 0));
            report.baseline_jobs_settled.push(result.taken.size);
            report.baseline_debit_micros.push(String(check.debitSum));
            report.baseline_expected_micros.push(String(check.expectedSum));
            report.baseline_client_cpu_us_per_job.push(round(result.clientCpuUsPerJob, 0));
            report.baseline_machine_busy_pct.push(round(result.machineBusyPct, 0));
          }
          const problems = [...check.problems];
          if (result.errors > 0)
            problems.push(`${result.errors} settlement attempts failed, first: ${result.firstError}`);
          for (const problem of problems) report.problems.push(`round ${round_} ${pass.name}: ${problem}`);
          if (problems.length > 0) report.exact = false;
          log(
            `${scenario.name} round ${round_} ${pass.name}: ${round(result.perSecond, 0)} jobs/s ` +
              `(${result.taken.size} jobs in ${round(result.seconds, 2)} s${result.budgetHit ? ', time budget hit' : ''}, client ${round(result.clientCpuUsPerJob, 0)} µs CPU/job, ` +
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
      targets: { uniform_per_s_min: 10_000, hot_per_s_min: 10_000, exact_min: 1 },
      method: {
        model: MODEL_ID,
        jobs: options.jobs,
        rounds: options.rounds,
        budget_s: options.budgetS,
        budget:
          'a pass takes no new job after budget_s seconds; its rate is over the jobs it took, and the rest must be untouched',
        order: 'per round: seed, baseline, verify, seed, imagegate, verify',
        imagegate: `the settlement worker (startSettlementWorkerFromConfig, default config) in the bench process: ${settings.concurrency} stream entries in hand, read and settled in batches of up to ${settings.batchSize} jobs (a partial read waits ${settings.batchWaitMs} ms for more), pg pool of ${settings.poolSize}; entries added before the worker starts, timed from its start to the last acknowledgement`,
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
