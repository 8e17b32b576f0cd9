/**
 * Benchmark `sync-frontier` (docs/benchmarks.md): the highest rate at which sync `response_format=url`
 * requests (1 MiB images, emulator at 50 ms) keep their added p99 ≤ 50 ms over the same requests
 * sent straight to the emulator, with no errors and ≥ 95 % of the offered rate answered. Every probe
 * runs three passes back to back at its rate: direct, the floor (direct, then a PUT of the image to
 * the same S3, which any gateway that keeps images must do) and imagegate. The search (double from
 * `--start` until a rate fails, then bisect `--bisect` times) follows the floor criterion, so it
 * also finds `frontier_over_floor_per_s`: imagegate's own frontier once the S3 write is granted.
 * Target: ≥ 500 requests/s (over direct).
 *
 *   pnpm bench sync-frontier [--start 25] [--max-rate 1000] [--bisect 2] [--seconds 8] [--warmup 2]
 */
import { parseArgs } from 'node:util';
import { createAgent } from './lib/http-client.ts';
import { type OpenLoopResult, runOpenLoop } from './lib/open-loop.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { startImagegateStack } from './lib/stack.ts';
import { round } from './lib/stats.ts';
import { syncSenders } from './lib/sync-senders.ts';

const { values } = parseArgs({
  options: {
    start: { type: 'string', default: '25' },
    'max-rate': { type: 'string', default: '1000' },
    bisect: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
  },
});
const startRate = Number(values.start);
const maxRate = Number(values['max-rate']);
const bisectSteps = Number(values.bisect);
const seconds = Number(values.seconds);
const warmupS = Number(values.warmup);
const ADDED_P99_LIMIT_MS = 50;
const log = (message: string) => process.stderr.write(`[sync-frontier] ${message}\n`);

const pinned = pinningAvailable();
const stack = await startImagegateStack({ latencyMs: 50, imageBytes: 1024 * 1024, pinned });
try {
  const imagegate = await stack.startImagegate();
  if (pinned) pin(process.pid, 1);
  const agent = createAgent(1024);
  const { sendDirect, sendDirectThenStore, sendGateway } = syncSenders(
    agent,
    {
      emulatorUrl: stack.upstreams.url,
      emulatorKey: stack.emulatorKey,
      imagegateUrl: imagegate.url,
      apiKey: stack.scratch.apiKey,
    },
    { store: stack.store, imageBytes: 1024 * 1024 },
  );

  const probes: {
    rate: number;
    good: boolean;
    goodOverFloor: boolean;
    addedP99Ms: number;
    addedOverFloorP99Ms: number;
    direct: OpenLoopResult;
    floor: OpenLoopResult;
    imagegate: OpenLoopResult;
  }[] = [];
  const probe = async (rate: number) => {
    const baseline = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS, send: sendDirect });
    const floor = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS, send: sendDirectThenStore });
    const measured = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS, send: sendGateway });
    const answered = measured.errors === 0 && measured.achievedPerS >= 0.95 * rate;
    const addedP99Ms = measured.p99Ms - baseline.p99Ms;
    const addedOverFloorP99Ms = measured.p99Ms - floor.p99Ms;
    const good = answered && addedP99Ms <= ADDED_P99_LIMIT_MS;
    const goodOverFloor = answered && floor.errors === 0 && addedOverFloorP99Ms <= ADDED_P99_LIMIT_MS;
    log(
      `${rate}/s: added p99 ${round(addedP99Ms)} ms over direct, ${round(addedOverFloorP99Ms)} ms over the floor, ${round(measured.achievedPerS, 1)}/s answered → ${good} / ${goodOverFloor}`,
    );
    probes.push({
      rate,
      good,
      goodOverFloor,
      addedP99Ms,
      addedOverFloorP99Ms,
      direct: baseline,
      floor,
      imagegate: measured,
    });
    return goodOverFloor;
  };

  let good = 0;
  let bad = 0;
  for (let rate = startRate; rate <= maxRate; rate *= 2) {
    if (!(await probe(rate))) {
      bad = rate;
      break;
    }
    good = rate;
  }
  if (bad > 0) {
    let low = good;
    let high = bad;
    for (let step = 0; step < bisectSteps; step++) {
      const rate = Math.round((low + high) / 2);
      if (rate === low || rate === high) break;
      if (await probe(rate)) low = rate;
      else high = rate;
    }
    good = low;
  }
  const results = {
    frontier_per_s: Math.max(0, ...probes.filter((entry) => entry.good).map((entry) => entry.rate)),
    frontier_over_floor_per_s: good,
    probes: probes.length,
  };
  const targets = { frontier_per_s_min: 500 };
  printFigure({
    name: 'sync-frontier',
    pass: meetsTargets(results, targets),
    ratio: null,
    ratio_meaning: 'none: the frontier is itself judged against the direct-to-emulator p99 at each rate',
    results,
    targets,
    method: {
      start_per_s: startRate,
      max_rate_per_s: maxRate,
      bisect_steps: bisectSteps,
      seconds,
      warmup_s: warmupS,
      good: `added p99 ≤ ${ADDED_P99_LIMIT_MS} ms over direct (over the floor for frontier_over_floor_per_s), 0 errors, ≥ 95 % of the offered rate answered`,
      search:
        'by the floor criterion: double from start until a rate fails, then bisect between the last good and the first bad rate; frontier_per_s is the highest probed rate good over direct',
    },
    pinning: pinningNote(pinned, 'the emulator, s3rver and the load generator'),
    rounds: probes.map((entry) => ({
      rate_per_s: entry.rate,
      good: entry.good,
      good_over_floor: entry.goodOverFloor,
      added_p99_ms: round(entry.addedP99Ms),
      added_over_floor_p99_ms: round(entry.addedOverFloorP99Ms),
      direct_p99_ms: round(entry.direct.p99Ms),
      floor_p99_ms: round(entry.floor.p99Ms),
      floor_answered_per_s: round(entry.floor.achievedPerS, 1),
      imagegate_p50_ms: round(entry.imagegate.p50Ms),
      imagegate_p99_ms: round(entry.imagegate.p99Ms),
      imagegate_answered_per_s: round(entry.imagegate.achievedPerS, 1),
      imagegate_errors: entry.imagegate.errors,
    })),
  });
} finally {
  await stack.close();
}
