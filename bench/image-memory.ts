/**
 * Benchmark `image-memory` (docs/benchmarks.md): RSS growth per in-flight 8 MiB image with 32 in flight,
 * in url mode and in b64_json mode, and the event-loop delay meanwhile. Baseline, interleaved per
 * round: a naive proxy that buffers the upstream answer whole and answers with one `JSON.stringify`.
 * Targets: growth per image ≤ 2.5× the image bytes (url), ≤ 4× (b64_json); event-loop p99 ≤ 20 ms.
 *
 * Each measurement: collect garbage in the host, read its RSS, reset its peak mark (VmHWM), send
 * `--in-flight` sync requests at once (the emulator answers all of them after `--latency-ms`, so
 * they are in flight together), then read the peak. Growth per image = (peak − before) / in flight.
 * imagegate (ingress, provider worker and settlement worker) is one process, so the worker's
 * download and upload and the ingress's answer all count.
 *
 * imagegate runs on each of `--stores`: `default` (the local store `./imagegate.sh start` uses) and
 * `s3` (the in-memory S3 stand-in); the targets hold for every store.
 *
 *   pnpm bench image-memory [--in-flight 32] [--rounds 3] [--image-bytes 8388608] [--latency-ms 500]
 *                           [--stores default,s3]
 */
import { parseArgs } from 'node:util';
import { createAgent, postJson } from './lib/http-client.ts';
import { peakRssBytes, resetPeakRss } from './lib/memory.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { startHost, startImagegateStack } from './lib/stack.ts';
import { median, round } from './lib/stats.ts';
import { parseNames, STORES, type StoreName } from './lib/sync-matrix.ts';

const { values } = parseArgs({
  options: {
    'in-flight': { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    'image-bytes': { type: 'string', default: String(8 * 1024 * 1024) },
    'latency-ms': { type: 'string', default: '500' },
    stores: { type: 'string', default: STORES.join(',') },
  },
});
const stores = parseNames('--stores', values.stores, STORES);
const inFlight = Number(values['in-flight']);
const rounds = Number(values.rounds);
const imageBytes = Number(values['image-bytes']);
const latencyMs = Number(values['latency-ms']);
const log = (message: string) => process.stderr.write(`[image-memory] ${message}\n`);

type Mode = 'naive' | 'url' | 'b64_json';
/** What one round measures: the baseline, then each mode on each store (`url@default`, …). */
type Pass = 'naive' | `${'url' | 'b64_json'}@${StoreName}`;
interface Measurement {
  rssBeforeBytes: number;
  peakBytes: number;
  growthPerImageX: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  errors: number;
  seconds: number;
}

const pinned = pinningAvailable();
const stack = await startImagegateStack({ latencyMs, imageBytes, pinned });
try {
  // Every measurement gets a fresh host: memory freed by a garbage collection is not given back
  // to the OS, so a second batch in the same process would reuse it and look free.
  if (pinned) pin(process.pid, 1);
  const agent = createAgent();
  const request = { model: 'gpt-image-2.6-flare', prompt: 'a large red cube', quality: 'low', size: '1024x1024' };
  const hostFor = (mode: Mode, store: StoreName) =>
    mode === 'naive'
      ? startHost('naive', {
          cpu: pinned ? 0 : undefined,
          env: { UPSTREAM_URL: stack.upstreams.url, UPSTREAM_KEY: stack.emulatorKey },
        })
      : stack.startImagegate({}, store);
  const bodyFor = (mode: Mode) => JSON.stringify(mode === 'naive' ? request : { ...request, response_format: mode });

  const measure = async (mode: Mode, store: StoreName): Promise<Measurement> => {
    const host = await hostFor(mode, store);
    try {
      const url = new URL(`${host.url}/v1/images/generations`);
      const body = bodyFor(mode);
      const headers = { authorization: `Bearer ${stack.scratch.apiKey}` };
      // Two requests one after the other: connections, JIT and lazy modules, not the batch's memory.
      for (let warm = 0; warm < 2; warm++) {
        const answer = await postJson(agent, url, body, headers);
        if (answer.status !== 200) throw new Error(`${mode}: warm-up answered ${answer.status}`);
      }
      const before = await host.sample({ gc: true, reset: true });
      resetPeakRss(host.pid);
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: inFlight }, () =>
          postJson(agent, url, body, headers).catch(() => ({ status: 0, bytes: 0 })),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const peakBytes = peakRssBytes(host.pid);
      const after = await host.sample({ reset: true });
      return {
        rssBeforeBytes: before.rssBytes,
        peakBytes,
        growthPerImageX: (peakBytes - before.rssBytes) / inFlight / imageBytes,
        eventLoopP99Ms: after.eventLoopP99Ms,
        eventLoopMaxMs: after.eventLoopMaxMs,
        errors: answers.filter((answer) => answer.status !== 200).length,
        seconds,
      };
    } finally {
      await host.stop();
    }
  };

  const passes: Pass[] = ['naive', ...stores.flatMap((store): Pass[] => [`url@${store}`, `b64_json@${store}`])];
  const results: Record<Pass, Measurement>[] = [];
  for (let index = 1; index <= rounds; index++) {
    const round_: Partial<Record<Pass, Measurement>> = {};
    for (const pass of passes) {
      const [mode, store] = pass.split('@') as [Mode, StoreName | undefined];
      const measurement = await measure(mode, store ?? 's3');
      round_[pass] = measurement;
      log(
        `round ${index} ${pass}: ${round(measurement.growthPerImageX)}× image bytes per in-flight image, event loop p99 ${round(measurement.eventLoopP99Ms)} ms, errors ${measurement.errors}`,
      );
    }
    results.push(round_ as Record<Pass, Measurement>);
  }

  const medianOf = (pass: Pass, pick: (m: Measurement) => number) => round(median(results.map((r) => pick(r[pass]))));
  const worstOf = (mode: 'url' | 'b64_json', pick: (m: Measurement) => number) =>
    Math.max(...stores.map((store) => medianOf(`${mode}@${store}`, pick)));
  const output = {
    url_growth_x: worstOf('url', (m) => m.growthPerImageX),
    b64_growth_x: worstOf('b64_json', (m) => m.growthPerImageX),
    naive_growth_x: medianOf('naive', (m) => m.growthPerImageX),
    event_loop_p99_ms: Math.max(
      worstOf('url', (m) => m.eventLoopP99Ms),
      worstOf('b64_json', (m) => m.eventLoopP99Ms),
    ),
    naive_event_loop_p99_ms: medianOf('naive', (m) => m.eventLoopP99Ms),
    // Each store's medians (`default_b64_event_loop_p99_ms`, …): a target missed on one store shows which.
    ...Object.fromEntries(
      stores.flatMap((store) => [
        [`${store}_url_growth_x`, medianOf(`url@${store}`, (m) => m.growthPerImageX)],
        [`${store}_b64_growth_x`, medianOf(`b64_json@${store}`, (m) => m.growthPerImageX)],
        [`${store}_url_event_loop_p99_ms`, medianOf(`url@${store}`, (m) => m.eventLoopP99Ms)],
        [`${store}_b64_event_loop_p99_ms`, medianOf(`b64_json@${store}`, (m) => m.eventLoopP99Ms)],
      ]),
    ),
    errors: results.reduce((sum, r) => sum + passes.reduce((inRound, pass) => inRound + r[pass].errors, 0), 0),
  };
  const targets = { url_growth_x_max: 2.5, b64_growth_x_max: 4, event_loop_p99_ms_max: 20, errors_max: 0 };
  printFigure({
    name: 'image-memory',
    pass: meetsTargets(output, targets),
    ratio: round(
      median(results.map((r) => r[`b64_json@${stores[0] ?? 's3'}`].growthPerImageX / r.naive.growthPerImageX)),
      3,
    ),
    ratio_meaning: `imagegate b64_json growth per image (${stores[0]} store) / naive JSON.stringify proxy growth per image, median`,
    results: output,
    targets,
    method: {
      in_flight: inFlight,
      image_bytes: imageBytes,
      emulator_latency_ms: latencyMs,
      rounds,
      stores,
      order: `per round: ${passes.join(', ')}, each in a fresh process warmed by 2 requests`,
      provider_worker: 'in a thread of the imagegate process, as ./imagegate.sh start runs it',
      growth: '(VmHWM during the batch − RSS after gc before it) / in flight / image bytes',
      event_loop: 'monitorEventLoopDelay (5 ms resolution) in the host over the batch',
    },
    pinning: pinningNote(pinned, 'the emulator, s3rver and the load generator'),
    rounds: results.map((r, index) => ({
      round: index + 1,
      ...Object.fromEntries(
        passes.map((pass) => [
          pass,
          {
            rss_before_mib: round(r[pass].rssBeforeBytes / 2 ** 20, 1),
            peak_mib: round(r[pass].peakBytes / 2 ** 20, 1),
            growth_x: round(r[pass].growthPerImageX),
            event_loop_p99_ms: round(r[pass].eventLoopP99Ms),
            event_loop_max_ms: round(r[pass].eventLoopMaxMs),
            errors: r[pass].errors,
            seconds: round(r[pass].seconds),
          },
        ]),
      ),
    })),
  });
} finally {
  await stack.close();
}
