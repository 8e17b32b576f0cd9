/**
 * `pnpm bench [name …] [--smoke] [-- figure options]`: runs every figure (or the named ones), each
 * in a process of its own, and prints ONE JSON document (bench/lib/report.ts) with every figure, its
 * ratio, targets and pass/fail, the versions of Node, Postgres, Redis, BullMQ and the peer gateway,
 * and the CPU model. Progress goes to stderr. `--smoke` runs each figure for about a second, all at
 * once (the test suite does this); the numbers are then meaningless. Options after `--` go to every
 * figure named (e.g. `pnpm bench sync-overhead -- --rates 5,10 --stores default`). Exits 1 when a
 * figure could not run (not when one misses a target: benchmarks are not tests).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createRedisConnection } from '@imagegate/queue';
import pg from 'pg';
import { cpuModel } from './lib/machine.ts';
import { portkeyPeer } from './lib/peer.ts';
import { pinningAvailable } from './lib/pinning.ts';
import { assertFigureReport, buildDocument, type FigureReport } from './lib/report.ts';
import { ADMIN_URL, REDIS_URL } from './lib/stack.ts';

/** Arguments that make each figure take about a second. */
export const SMOKE_ARGS: Record<string, string[]> = {
  'async-submit': ['--seconds', '1', '--rounds', '1', '--accounts', '2', '--warmup', '0', '--rate', '100'],
  'rate-limit': ['--rate', '5', '--jobs', '5', '--latency-ms', '0'],
  'edit-memory': ['--rounds', '1', '--in-flight', '2', '--input-bytes', String(1024 * 1024), '--latency-ms', '100'],
  'image-memory': ['--rounds', '1', '--in-flight', '4', '--image-bytes', String(1024 * 1024), '--latency-ms', '100'],
  'redis-footprint': ['--jobs', '4', '--image-bytes', String(1024 * 1024), '--latency-ms', '50', '--sample-ms', '100'],
  'stream-latency': ['--streams', '2', '--rounds', '1', '--latency-ms', '400'],
  settlement: ['--jobs', '200', '--rounds', '1', '--seconds', '1'],
  // The two sync figures share the matrix between them: each path (both stores, both topologies,
  // both modes, and the peer pass) runs for about a second.
  'sync-frontier': [
    '--min-requests',
    '0',
    '--start',
    '10',
    '--max-rate',
    '10',
    '--bisect',
    '0',
    '--seconds',
    '1',
    '--warmup',
    '0',
    '--stores',
    's3',
    '--topologies',
    'split',
  ],
  'sync-overhead': [
    '--seconds',
    '1',
    '--rounds',
    '1',
    '--warmup',
    '0',
    '--rates',
    '20',
    '--idle-seconds',
    '1',
    '--stores',
    'default',
    '--topologies',
    'one-process',
  ],
};

const here = new URL('.', import.meta.url);
const all = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.endsWith('.test.ts'))
  .map((file) => file.slice(0, -3));
// Everything after `--` is for the figures (pnpm passes `--` through to the script).
const separator = process.argv.indexOf('--', 2);
const figureArgs = separator < 0 ? [] : process.argv.slice(separator + 1);
const { values, positionals } = parseArgs({
  args: process.argv.slice(2, separator < 0 ? undefined : separator),
  options: { smoke: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const selected = positionals.length === 0 ? all : positionals;
for (const name of selected) {
  if (!all.includes(name)) {
    process.stderr.write(`unknown benchmark '${name}'; known: ${all.join(', ')}\n`);
    process.exit(2);
  }
}

/** Runs one figure script; resolves with its report, or with the reason it has none. */
function runFigure(name: string, args: string[]): Promise<FigureReport | { error: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [new URL(`${name}.ts`, here).pathname, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('close', (code) => {
      if (code !== 0) return resolve({ error: `exited with ${code}` });
      try {
        const report: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        assertFigureReport(report);
        resolve(report);
      } catch (error) {
        resolve({ error: `no valid report: ${String(error)}` });
      }
    });
  });
}

async function versions() {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('show server_version');
  await client.end();
  const redis = createRedisConnection(REDIS_URL);
  const info = await redis.info('server');
  redis.disconnect();
  const bullmq = JSON.parse(readFileSync(new URL('node_modules/bullmq/package.json', here), 'utf8')) as {
    version: string;
  };
  return {
    node: process.version,
    postgres: rows[0]?.server_version ?? 'unknown',
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    bullmq: bullmq.version,
    portkey: portkeyPeer().version,
  };
}

const startedAt = new Date();
const loadAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
const figures: FigureReport[] = [];
const errors: Record<string, string> = {};
const run = (name: string) => {
  process.stderr.write(`[bench] ${name}${values.smoke ? ' (smoke)' : ''}\n`);
  return runFigure(name, [...(values.smoke ? (SMOKE_ARGS[name] ?? []) : []), ...figureArgs]);
};
// Figures share the machine, so a real run takes them one at a time; a smoke run checks only that
// each one runs and reports, so it takes them all at once.
const outcomes = values.smoke
  ? await Promise.all(selected.map(run))
  : await selected.reduce<Promise<Awaited<ReturnType<typeof runFigure>>[]>>(
      async (done, name) => [...(await done), await run(name)],
      Promise.resolve([]),
    );
outcomes.forEach((outcome, index) => {
  const name = selected[index] ?? '';
  if ('error' in outcome) errors[name] = outcome.error;
  else figures.push(outcome);
});
const document = {
  ...buildDocument({
    startedAt,
    figures,
    ...cpuModel(),
    versions: await versions(),
    pinningAvailable: pinningAvailable(),
  }),
  load_average_at_start: loadAtStart,
  smoke: values.smoke,
  errors,
};
process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
if (Object.keys(errors).length > 0) process.exitCode = 1;
