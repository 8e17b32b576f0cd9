/**
 * Probe (not a figure): where a request's time goes, from imagegate's own logs. Every generation
 * logs its stage timings at debug (`stagesMs`: the ingress's validate/hold/enqueue/wait/answer, the
 * worker's queued/start/allowance/upstream/store/record/announce); this prints, per log message, the
 * p50/p90/p99 and mean of each stage over the lines of a log file.
 *
 *   BENCH_LOG_LEVEL=debug BENCH_HOST_LOG=<log file> node bench/sync-overhead.ts …
 *   node bench/probes/stage-timings.ts <log file> [--after <ISO time>]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { percentile, round } from '../lib/stats.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { after: { type: 'string' } } });
const file = positionals[0];
if (file === undefined) throw new Error('usage: stage-timings.ts <log file> [--after <ISO time>]');
const after = values.after === undefined ? 0 : Date.parse(values.after);

const byMessage = new Map<string, Map<string, number[]>>();
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line.includes('"stagesMs"')) continue;
  let entry: { msg?: string; time?: number; stagesMs?: Record<string, number> };
  try {
    entry = JSON.parse(line);
  } catch {
    continue;
  }
  if ((entry.time ?? 0) < after || entry.stagesMs === undefined) continue;
  const stages = byMessage.get(entry.msg ?? '') ?? new Map<string, number[]>();
  byMessage.set(entry.msg ?? '', stages);
  for (const [stage, ms] of Object.entries(entry.stagesMs)) {
    const list = stages.get(stage) ?? [];
    stages.set(stage, list);
    list.push(ms);
  }
}

for (const [message, stages] of byMessage) {
  const count = Math.max(...[...stages.values()].map((list) => list.length));
  process.stdout.write(`${message} (${count} lines)\n`);
  process.stdout.write(
    `  ${'stage'.padEnd(12)} ${'p50'.padStart(8)} ${'p90'.padStart(8)} ${'p99'.padStart(8)} ${'mean'.padStart(8)}\n`,
  );
  for (const [stage, list] of stages) {
    const sorted = [...list].sort((a, b) => a - b);
    const mean = sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
    const cells = [percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), mean];
    process.stdout.write(`  ${stage.padEnd(12)} ${cells.map((ms) => String(round(ms)).padStart(8)).join(' ')}\n`);
  }
}
