/**
 * Benchmark `sync-overhead` (docs/benchmarks.md): sync `POST /v1/images/generations` with
 * `response_format=url`, 1 MiB images, the emulator at 50 ms, an open loop at 100 requests/s.
 * Baselines, interleaved per round: the same requests sent straight to the emulator, and the floor
 * (straight to the emulator, then a PUT of the same image size to the same S3). Target: added
 * latency over direct p50 ≤ 5 ms, p99 ≤ 20 ms, 0 errors; the direct pass must reach ≥ 99 % of the
 * offered rate. Also reported: what is added over the floor, and imagegate's CPU ms per request.
 *
 *   pnpm bench sync-overhead [--rate 100] [--seconds 30] [--rounds 3] [--warmup 3]
 */
import { parseArgs } from 'node:util';
import { createAgent } from './lib/http-client.ts';
import { ownCpuMs } from './lib/machine.ts';
import { runOpenLoop } from './lib/open-loop.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { startImagegateStack } from './lib/stack.ts';
import { median, round } from './lib/stats.ts';
import { syncSenders } from './lib/sync-senders.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '50' },
    'image-bytes': { type: 'string', default: String(1024 * 1024) },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);
const latencyMs = Number(values['latency-ms']);
const imageBytes = Number(values['image-bytes']);
const log = (message: string) => process.stderr.write(`[sync-overhead] ${message}\n`);

const pinned = pinningAvailable();
/** Requests one pass sends, warm-up included. */
const requestsPerPass = Math.floor(rate * (seconds + warmupS));
const stack = await startImagegateStack({ latencyMs, imageBytes, pinned });
try {
  const imagegateHost = await stack.startImagegate();
  if (pinned) pin(process.pid, 1);
  const agent = createAgent();
  const { sendDirect, sendDirectThenStore, sendGateway } = syncSenders(
    agent,
    {
      emulatorUrl: stack.upstreams.url,
      emulatorKey: stack.emulatorKey,
      imagegateUrl: imagegateHost.url,
      apiKey: stack.scratch.apiKey,
    },
    { store: stack.store, imageBytes: imageBytes },
  );
  // One of each before measuring, so the first round does not pay for connections and JIT alone.
  if (!(await sendDirect()) || !(await sendGateway())) throw new Error('a warm-up request failed');

  const results = [];
  for (let index = 1; index <= rounds; index++) {
    log(`round ${index}: straight to the emulator at ${rate}/s for ${seconds} s`);
    const directCpu = ownCpuMs();
    const baseline = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS, send: sendDirect });
    const directCpuMsPerRequest = (ownCpuMs() - directCpu) / requestsPerPass;
    log(`round ${index}: straight to the emulator, then the image PUT to S3, at ${rate}/s for ${seconds} s`);
    const floorCpu = ownCpuMs();
    const floor = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS, send: sendDirectThenStore });
    const floorCpuMsPerRequest = (ownCpuMs() - floorCpu) / requestsPerPass;
    log(`round ${index}: through imagegate at ${rate}/s for ${seconds} s`);
    const cpuBefore = (await imagegateHost.sample()).cpuMs;
    const imagegate = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS, send: sendGateway });
    // Every request of the pass, warm-up included; jobs still settling after it are counted too.
    const cpuMsPerRequest = ((await imagegateHost.sample()).cpuMs - cpuBefore) / requestsPerPass;
    log(
      `  direct p50 ${round(baseline.p50Ms)} p99 ${round(baseline.p99Ms)} · direct+PUT p50 ${round(floor.p50Ms)} p99 ${round(floor.p99Ms)} · imagegate p50 ${round(imagegate.p50Ms)} p99 ${round(imagegate.p99Ms)} errors ${imagegate.errors} · ${round(cpuMsPerRequest)} CPU ms/request`,
    );
    log(
      `  CPU ms/request: load generator direct ${round(directCpuMsPerRequest)}, direct+PUT ${round(floorCpuMsPerRequest)}; imagegate ${round(cpuMsPerRequest)}`,
    );
    results.push({
      round: index,
      baseline,
      floor,
      imagegate,
      cpuMsPerRequest,
      directCpuMsPerRequest,
      floorCpuMsPerRequest,
    });
  }
  const output = {
    added_p50_ms: round(median(results.map((r) => r.imagegate.p50Ms - r.baseline.p50Ms))),
    added_p99_ms: round(median(results.map((r) => r.imagegate.p99Ms - r.baseline.p99Ms))),
    imagegate_p50_ms: round(median(results.map((r) => r.imagegate.p50Ms))),
    imagegate_p99_ms: round(median(results.map((r) => r.imagegate.p99Ms))),
    direct_p50_ms: round(median(results.map((r) => r.baseline.p50Ms))),
    direct_p99_ms: round(median(results.map((r) => r.baseline.p99Ms))),
    // The floor: the direct call, then the image's PUT to the same S3. What is added over it is imagegate's own.
    direct_then_put_p50_ms: round(median(results.map((r) => r.floor.p50Ms))),
    direct_then_put_p99_ms: round(median(results.map((r) => r.floor.p99Ms))),
    added_over_floor_p50_ms: round(median(results.map((r) => r.imagegate.p50Ms - r.floor.p50Ms))),
    added_over_floor_p99_ms: round(median(results.map((r) => r.imagegate.p99Ms - r.floor.p99Ms))),
    errors: results.reduce((sum, r) => sum + r.imagegate.errors + r.baseline.errors, 0),
    direct_then_put_errors: results.reduce((sum, r) => sum + r.floor.errors, 0),
    direct_achieved_fraction: round(Math.min(...results.map((r) => r.baseline.achievedPerS / rate)), 3),
    // What one sync request costs imagegate's core (ingress, worker and settlement together).
    imagegate_cpu_ms_per_request: round(median(results.map((r) => r.cpuMsPerRequest))),
    // The same bytes moved by a plain Node client: the answer read (direct), then also the PUT (floor).
    load_generator_direct_cpu_ms_per_request: round(median(results.map((r) => r.directCpuMsPerRequest))),
    load_generator_direct_then_put_cpu_ms_per_request: round(median(results.map((r) => r.floorCpuMsPerRequest))),
  };
  const targets = { added_p50_ms_max: 5, added_p99_ms_max: 20, errors_max: 0, direct_achieved_fraction_min: 0.99 };
  printFigure({
    name: 'sync-overhead',
    pass: meetsTargets(output, targets),
    ratio: round(median(results.map((r) => r.imagegate.p99Ms / r.baseline.p99Ms)), 3),
    ratio_meaning: 'imagegate p99 / direct-to-emulator p99, median over rounds',
    results: output,
    targets,
    method: {
      offered_per_s: rate,
      seconds,
      warmup_s: warmupS,
      rounds,
      emulator_latency_ms: latencyMs,
      image_bytes: imageBytes,
      order:
        'per round: direct to the emulator; direct then a PUT of the same image size to the same S3 (the floor); imagegate (sync, response_format=url)',
      latency: 'open loop, from the scheduled send time to the last byte of the answer',
    },
    pinning: pinningNote(pinned, 'the emulator, s3rver and the load generator'),
    rounds: results.map((r) => ({
      round: r.round,
      direct: roundResult(r.baseline),
      direct_then_put: roundResult(r.floor),
      imagegate: { ...roundResult(r.imagegate), cpu_ms_per_request: round(r.cpuMsPerRequest) },
    })),
  });
} finally {
  await stack.close();
}

function roundResult(result: Awaited<ReturnType<typeof runOpenLoop>>) {
  return {
    sent: result.sent,
    ok: result.ok,
    errors: result.errors,
    achieved_per_s: round(result.achievedPerS, 1),
    p50_ms: round(result.p50Ms),
    p99_ms: round(result.p99Ms),
    max_ms: round(result.maxMs),
  };
}
