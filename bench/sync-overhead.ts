/**
 * Benchmark `sync-overhead` (docs/benchmarks.md): sync `POST /v1/images/generations`, 1 MiB images
 * (answers of about 1.4 MB), the emulator at 50 ms, open loop, against the peer gateway Portkey
 * (`@portkey-ai/gateway`, a pass-through that keeps nothing). Gateways run on cpu 0, the emulator,
 * the S3 stand-in and the load generator on cpu 1.
 *
 * For each deployment of imagegate (store `default` or `s3` × topology `one-process` or `split`,
 * bench/lib/sync-matrix.ts), each round runs, at each rate, interleaved: direct (straight to the
 * emulator), the floor (direct, then a plain client's write of the same size to the same store),
 * Portkey, and imagegate in each mode (`b64_json`, `url`). Each pass reports what it added over the
 * round's direct p50/p99, answered/s and CPU ms per request: a gateway's whole process trees from
 * /proc (the floor's and direct's: the load generator's own).
 *
 * Targets, per cell (deployment × mode × rate), medians over rounds of the per-round ratio: imagegate's
 * CPU per request ≤ 0.5× Portkey's and ≤ 1.25× the floor client's; imagegate's p99 ≤ Portkey's
 * wherever Portkey kept up (≥ 95 % answered, added p99 ≤ 100 ms); in `url` mode added p50 ≤ 5 ms and
 * p99 ≤ 20 ms; 0 errors; the direct pass reaches ≥ 99 % of the offered rate.
 *
 *   pnpm bench sync-overhead -- [--rates 100] [--seconds 10] [--rounds 3] [--warmup 2] [--idle-seconds 5]
 *     [--stores default,s3] [--topologies one-process,split] [--modes b64_json,url]
 */
import { parseArgs } from 'node:util';
import { fileWriter, s3PutWriter } from './lib/floor-writers.ts';
import { createAgent } from './lib/http-client.ts';
import { idleCpuMsPerS, loadGeneratorCpuMs, type MeasuredPass, measuredPass, passRecord } from './lib/measured-pass.ts';
import { portkeyPeer } from './lib/peer.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { processTreeCpuMs } from './lib/process-tree-cpu.ts';
import { finiteResults, meetsTargets, printFigure } from './lib/report.ts';
import { startImagegateStack } from './lib/stack.ts';
import { median, round } from './lib/stats.ts';
import {
  cellKey,
  deploymentKey,
  MODES,
  type ModeName,
  parseNames,
  parseRates,
  STORES,
  type StoreName,
  TOPOLOGIES,
  type TopologyName,
} from './lib/sync-matrix.ts';
import { syncSenders } from './lib/sync-senders.ts';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    stores: { type: 'string', default: STORES.join(',') },
    topologies: { type: 'string', default: TOPOLOGIES.join(',') },
    modes: { type: 'string', default: MODES.join(',') },
    'idle-seconds': { type: 'string', default: '5' },
    'latency-ms': { type: 'string', default: '50' },
    'image-bytes': { type: 'string', default: String(1024 * 1024) },
  },
});
const rates = parseRates(values.rates);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);
const stores = parseNames('stores', values.stores, STORES);
const topologies = parseNames('topologies', values.topologies, TOPOLOGIES);
const modes = parseNames('modes', values.modes, MODES);
const idleSeconds = Number(values['idle-seconds']);
const latencyMs = Number(values['latency-ms']);
const imageBytes = Number(values['image-bytes']);
const log = (message: string) => process.stderr.write(`[sync-overhead] ${message}\n`);

/** Portkey kept up at a rate: the capacity criterion of sync-frontier. */
const PEER_KEPT_UP = { answeredFraction: 0.95, addedP99Ms: 100 };
/** Work a gateway does after answering (imagegate settles the job) is counted in its pass. */
const SETTLE_MS = 1000;

interface Round {
  store: StoreName;
  topology: TopologyName;
  rate: number;
  round: number;
  direct: MeasuredPass;
  floor: MeasuredPass;
  portkey: MeasuredPass;
  imagegate: Partial<Record<ModeName, MeasuredPass>>;
}

const pinned = pinningAvailable();
const stack = await startImagegateStack({ latencyMs, imageBytes, pinned });
try {
  const portkey = await stack.startPortkey();
  if (pinned) pin(process.pid, 1);
  const agent = createAgent();
  const send = syncSenders(
    agent,
    { emulatorUrl: stack.upstreams.url, emulatorKey: stack.emulatorKey, apiKey: stack.scratch.apiKey },
    imageBytes,
    (sender, what) => log(`${sender}: ${what}`),
  );
  const floorWriters = {
    default: () => fileWriter(stack.floorDirectory()),
    s3: () => s3PutWriter(agent, stack.bucket),
  };
  const sendPortkey = send.portkey(portkey.url);
  const portkeyCpu = () => processTreeCpuMs([portkey.pid]);
  const pass = async (
    rate: number,
    options: Pick<Parameters<typeof measuredPass>[0], 'send' | 'cpuMs' | 'settleMs'>,
  ) => {
    const measured = await measuredPass({ ratePerS: rate, durationS: seconds, warmupS, ...options });
    await stack.clearStores();
    return measured;
  };

  const results: Round[] = [];
  const idleCpu: { store: StoreName; topology: TopologyName; imagegate: number; portkey: number }[] = [];
  for (const store of stores) {
    for (const topology of topologies) {
      log(`imagegate on the ${store} store, ${topology}`);
      const deployment = await stack.startDeployment({ store, topology });
      try {
        const sendFloor = send.floor(floorWriters[store]());
        const sendImagegate = Object.fromEntries(modes.map((mode) => [mode, send.imagegate(deployment.url, mode)]));
        const imagegateCpu = () => processTreeCpuMs(deployment.pids);
        // One of each before measuring, so the first round does not pay for connections and JIT alone.
        for (const warm of [send.direct, sendFloor, sendPortkey, ...Object.values(sendImagegate)]) {
          if (!(await warm())) throw new Error('a warm-up request failed');
        }
        const idle = await idleCpuMsPerS({ imagegate: imagegateCpu, portkey: portkeyCpu }, idleSeconds);
        log(`idle: imagegate ${round(idle.imagegate)}, Portkey ${round(idle.portkey)} CPU ms/s`);
        idleCpu.push({ store, topology, ...idle });
        for (let index = 1; index <= rounds; index++) {
          for (const rate of rates) {
            log(`round ${index} at ${rate}/s: direct, floor, Portkey, imagegate ${modes.join(', ')}`);
            const direct = await pass(rate, { send: send.direct, cpuMs: loadGeneratorCpuMs });
            const floor = await pass(rate, { send: sendFloor, cpuMs: loadGeneratorCpuMs });
            const peer = await pass(rate, { send: sendPortkey, cpuMs: portkeyCpu, settleMs: SETTLE_MS });
            const imagegate: Round['imagegate'] = {};
            for (const mode of modes) {
              const sendMode = sendImagegate[mode];
              if (sendMode === undefined) continue;
              imagegate[mode] = await pass(rate, { send: sendMode, cpuMs: imagegateCpu, settleMs: SETTLE_MS });
            }
            const line = (name: string, measured: MeasuredPass) =>
              `${name} +${round(measured.p50Ms - direct.p50Ms)}/+${round(measured.p99Ms - direct.p99Ms)} ms, ${round(measured.achievedPerS, 1)}/s, ${round(measured.cpuMsPerRequest)} CPU ms`;
            log(
              `  direct p50 ${round(direct.p50Ms)} p99 ${round(direct.p99Ms)} · ${[
                line('floor', floor),
                line('Portkey', peer),
                ...modes.map((mode) => line(`imagegate ${mode}`, imagegate[mode] as MeasuredPass)),
              ].join(' · ')}`,
            );
            results.push({ store, topology, rate, round: index, direct, floor, portkey: peer, imagegate });
          }
        }
      } finally {
        await deployment.stop();
      }
    }
  }

  const measured: Record<string, number> = {};
  const targets: Record<string, number> = {};
  const cpuRatiosVsPortkey: number[] = [];
  for (const store of stores) {
    for (const topology of topologies) {
      for (const rate of rates) {
        const cell = results.filter((r) => r.store === store && r.topology === topology && r.rate === rate);
        for (const mode of modes) {
          const key = `${cellKey(store, topology, mode)}@${rate}`;
          const medianOf = (value: (r: Round, imagegate: MeasuredPass) => number) =>
            median(cell.map((r) => value(r, r.imagegate[mode] as MeasuredPass)));
          const cellOutput = {
            direct_p50_ms: medianOf((r) => r.direct.p50Ms),
            direct_p99_ms: medianOf((r) => r.direct.p99Ms),
            floor_added_p50_ms: medianOf((r) => r.floor.p50Ms - r.direct.p50Ms),
            floor_added_p99_ms: medianOf((r) => r.floor.p99Ms - r.direct.p99Ms),
            floor_cpu_ms_per_request: medianOf((r) => r.floor.cpuMsPerRequest),
            portkey_added_p50_ms: medianOf((r) => r.portkey.p50Ms - r.direct.p50Ms),
            portkey_added_p99_ms: medianOf((r) => r.portkey.p99Ms - r.direct.p99Ms),
            portkey_answered_per_s: medianOf((r) => r.portkey.achievedPerS),
            portkey_cpu_ms_per_request: medianOf((r) => r.portkey.cpuMsPerRequest),
            imagegate_added_p50_ms: medianOf((r, i) => i.p50Ms - r.direct.p50Ms),
            imagegate_added_p99_ms: medianOf((r, i) => i.p99Ms - r.direct.p99Ms),
            imagegate_answered_per_s: medianOf((_r, i) => i.achievedPerS),
            imagegate_cpu_ms_per_request: medianOf((_r, i) => i.cpuMsPerRequest),
            cpu_ratio_vs_portkey: medianOf((r, i) => i.cpuMsPerRequest / r.portkey.cpuMsPerRequest),
            p99_ratio_vs_portkey: medianOf((r, i) => i.p99Ms / r.portkey.p99Ms),
            cpu_ratio_vs_floor: medianOf((r, i) => i.cpuMsPerRequest / r.floor.cpuMsPerRequest),
          };
          for (const [name, value] of Object.entries(cellOutput)) measured[`${key}.${name}`] = round(value, 3);
          cpuRatiosVsPortkey.push(cellOutput.cpu_ratio_vs_portkey);
          targets[`${key}.cpu_ratio_vs_portkey_max`] = 0.5;
          targets[`${key}.cpu_ratio_vs_floor_max`] = 1.25;
          const peerKeptUp =
            cellOutput.portkey_answered_per_s >= PEER_KEPT_UP.answeredFraction * rate &&
            cellOutput.portkey_added_p99_ms <= PEER_KEPT_UP.addedP99Ms;
          if (peerKeptUp) targets[`${key}.p99_ratio_vs_portkey_max`] = 1;
          if (mode === 'url') {
            targets[`${key}.imagegate_added_p50_ms_max`] = 5;
            targets[`${key}.imagegate_added_p99_ms_max`] = 20;
          }
        }
      }
    }
  }
  for (const idle of idleCpu) {
    const key = deploymentKey(idle.store, idle.topology);
    measured[`${key}.imagegate_idle_cpu_ms_per_s`] = round(idle.imagegate, 3);
    measured[`${key}.portkey_idle_cpu_ms_per_s`] = round(idle.portkey, 3);
  }
  measured.errors = results.reduce(
    (sum, r) => sum + r.direct.errors + Object.values(r.imagegate).reduce((errors, i) => errors + i.errors, 0),
    0,
  );
  measured.floor_errors = results.reduce((sum, r) => sum + r.floor.errors, 0);
  measured.portkey_errors = results.reduce((sum, r) => sum + r.portkey.errors, 0);
  measured.direct_achieved_fraction = round(Math.min(...results.map((r) => r.direct.achievedPerS / r.rate)), 3);
  Object.assign(targets, { errors_max: 0, direct_achieved_fraction_min: 0.99 });
  const output = finiteResults(measured);
  printFigure({
    name: 'sync-overhead',
    pass: meetsTargets(output, targets),
    ratio: round(Math.max(...cpuRatiosVsPortkey), 3),
    ratio_meaning:
      "imagegate's CPU ms per request / Portkey's at the same rate (median over rounds), the highest over every store, topology, mode and rate run",
    results: output,
    targets,
    method: {
      offered_per_s: rates,
      seconds,
      warmup_s: warmupS,
      rounds,
      stores,
      topologies,
      modes,
      emulator_latency_ms: latencyMs,
      image_bytes: imageBytes,
      order:
        'per imagegate deployment (store × topology), per round, per rate: direct to the emulator; the floor (direct, then a plain client writes an image of the same size to the same store: one PUT to the S3 stand-in, or a durable file write next to the default store); Portkey; imagegate in each mode',
      latency:
        'open loop, from the scheduled send time to the last byte of the answer; added = over the direct pass of the same round',
      cpu: `utime + stime from /proc of each gateway's whole process trees (imagegate: its one or three processes; Portkey: its process) over the pass and ${SETTLE_MS} ms after it, per request sent (warm-up included); the floor's and direct's: the load generator's own process`,
      idle_cpu: `each gateway's CPU ms per second with no request, over ${idleSeconds} s before the rounds of each deployment (<store>.<topology>.*_idle_cpu_ms_per_s): background work a low rate charges to few requests`,
      p99_target: `imagegate p99 ≤ Portkey's, only where Portkey kept up (≥ ${PEER_KEPT_UP.answeredFraction * 100} % answered, added p99 ≤ ${PEER_KEPT_UP.addedP99Ms} ms)`,
    },
    peer: portkeyPeer(),
    pinning: pinningNote(pinned, 'the emulator, the S3 stand-in and the load generator', 'imagegate and Portkey'),
    rounds: results.map((r) => ({
      store: r.store,
      topology: r.topology,
      rate_per_s: r.rate,
      round: r.round,
      direct: passRecord(r.direct),
      floor: passRecord(r.floor, r.direct),
      portkey: passRecord(r.portkey, r.direct),
      ...Object.fromEntries(
        Object.entries(r.imagegate).map(([mode, measured]) => [`imagegate_${mode}`, passRecord(measured, r.direct)]),
      ),
    })),
  });
} finally {
  await stack.close();
}
