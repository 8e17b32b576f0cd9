/**
 * Probe (not a figure; `pnpm bench` does not run it): imagegate's CPU per sync 1 MiB generation,
 * without the interleaved baselines of `sync-overhead`, to compare a change before and after in a
 * minute. One imagegate host (ingress, provider worker and settlement worker, as the figures run
 * it) against the emulator and the in-memory S3; the host's CPU is read while it idles (its timers,
 * BullMQ's polls), then over open-loop passes at `--rate`, and reported per request both raw and
 * with the idle CPU of the same span taken off. The floor (the load generator's own CPU for the
 * direct call and a PUT of the same size) is measured in the same run for the ratio.
 *
 *   node bench/probes/sync-cpu.ts [--rate 20] [--seconds 10] [--passes 3] [--format url|b64_json]
 */
import { parseArgs } from 'node:util';
import { createAgent, postJson } from '../lib/http-client.ts';
import { ownCpuMs } from '../lib/machine.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { pin, pinningAvailable } from '../lib/pinning.ts';
import { startImagegateStack } from '../lib/stack.ts';
import { median, round } from '../lib/stats.ts';
import { syncSenders } from '../lib/sync-senders.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    passes: { type: 'string', default: '3' },
    format: { type: 'string', default: 'url' },
    'idle-seconds': { type: 'string', default: '5' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const passes = Number(values.passes);
const idleS = Number(values['idle-seconds']);
const format = values.format === 'b64_json' ? 'b64_json' : 'url';
const log = (message: string) => process.stderr.write(`[sync-cpu] ${message}\n`);

const pinned = pinningAvailable();
const stack = await startImagegateStack({ latencyMs: 50, imageBytes: 1024 * 1024, pinned });
try {
  const host = await stack.startImagegate();
  if (pinned) pin(process.pid, 1);
  const agent = createAgent();
  const senders = syncSenders(
    agent,
    {
      emulatorUrl: stack.upstreams.url,
      emulatorKey: stack.emulatorKey,
      imagegateUrl: host.url,
      apiKey: stack.scratch.apiKey,
    },
    { store: stack.store, imageBytes: 1024 * 1024 },
  );
  const gateway = new URL(`${host.url}/v1/images/generations`);
  const body = JSON.stringify({
    model: 'gpt-image-2.6-flare',
    prompt: 'a small red cube',
    quality: 'low',
    size: '1024x1024',
    response_format: format,
  });
  const sendGateway = async () =>
    (await postJson(agent, gateway, body, { authorization: `Bearer ${stack.scratch.apiKey}` })).status === 200;
  // Warm both paths (connections, JIT) before measuring anything.
  for (let index = 0; index < 50; index++) {
    if (!(await sendGateway()) || !(await senders.sendDirectThenStore())) throw new Error('a warm-up request failed');
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const idleBefore = (await host.sample()).cpuMs;
  await new Promise((resolve) => setTimeout(resolve, idleS * 1000));
  const idleCpuMsPerS = ((await host.sample()).cpuMs - idleBefore) / idleS;
  log(`idle: ${round(idleCpuMsPerS)} CPU ms/s`);

  const rows = [];
  for (let pass = 1; pass <= passes; pass++) {
    const floorBefore = ownCpuMs();
    const floor = await runOpenLoop({
      ratePerS: rate,
      durationS: seconds,
      warmupS: 0,
      send: senders.sendDirectThenStore,
    });
    const floorCpuMs = (ownCpuMs() - floorBefore) / floor.sent;
    const before = (await host.sample()).cpuMs;
    const startedAt = performance.now();
    const run = await runOpenLoop({ ratePerS: rate, durationS: seconds, warmupS: 0, send: sendGateway });
    // Let settlement of the last jobs finish inside the measured span.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const spanS = (performance.now() - startedAt) / 1000;
    const cpuMs = (await host.sample()).cpuMs - before;
    const row = {
      pass,
      errors: run.errors,
      p50_ms: round(run.p50Ms),
      p99_ms: round(run.p99Ms),
      cpu_ms_per_request: round(cpuMs / run.sent),
      cpu_ms_per_request_less_idle: round((cpuMs - idleCpuMsPerS * spanS) / run.sent),
      floor_cpu_ms_per_request: round(floorCpuMs),
      floor_p50_ms: round(floor.p50Ms),
      floor_p99_ms: round(floor.p99Ms),
    };
    log(JSON.stringify(row));
    rows.push(row);
  }
  process.stdout.write(
    `${JSON.stringify(
      {
        probe: 'sync-cpu',
        rate,
        seconds,
        format,
        pinned,
        idle_cpu_ms_per_s: round(idleCpuMsPerS),
        median_cpu_ms_per_request: median(rows.map((row) => row.cpu_ms_per_request)),
        median_cpu_ms_per_request_less_idle: median(rows.map((row) => row.cpu_ms_per_request_less_idle)),
        median_floor_cpu_ms_per_request: median(rows.map((row) => row.floor_cpu_ms_per_request)),
        passes: rows,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await stack.close();
}
