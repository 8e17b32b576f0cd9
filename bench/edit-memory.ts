/**
 * Benchmark `edit-memory` (docs/benchmarks.md): RSS growth per in-flight edit against its input bytes,
 * `--in-flight` multipart edits of an `--input-bytes` PNG at once through the official wire format,
 * and the event-loop delay meanwhile. Target: growth per in-flight edit ≤ 1.5× its input bytes.
 *
 * The edits go to an OpenAI model: the ingress streams each part to a spool file and the object
 * store, the worker spools it back and the adapter streams it upstream as multipart, so no step
 * should hold an input whole. The emulator answers after `--latency-ms` with a small image
 * (`--output-bytes`), so the edits are in flight together and the figure is about inputs.
 * imagegate (ingress, provider worker, settlement worker) is one process: every step counts.
 *
 *   pnpm bench edit-memory [--in-flight 16] [--rounds 3] [--input-bytes 8388608] [--latency-ms 1500]
 */
import { parseArgs } from 'node:util';
import { createAgent, postJson } from './lib/http-client.ts';
import { peakRssBytes, resetPeakRss } from './lib/memory.ts';
import { multipartEdit, noisePng } from './lib/noise-png.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { startImagegateStack } from './lib/stack.ts';
import { median, round } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    'in-flight': { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    'input-bytes': { type: 'string', default: String(8 * 1024 * 1024) },
    'output-bytes': { type: 'string', default: String(64 * 1024) },
    'latency-ms': { type: 'string', default: '1500' },
  },
});
const inFlight = Number(values['in-flight']);
const rounds = Number(values.rounds);
const inputBytes = Number(values['input-bytes']);
const latencyMs = Number(values['latency-ms']);
const log = (message: string) => process.stderr.write(`[edit-memory] ${message}\n`);

interface Measurement {
  rssBeforeBytes: number;
  peakBytes: number;
  growthPerEditX: number;
  eventLoopP99Ms: number;
  errors: number;
  seconds: number;
}

const pinned = pinningAvailable();
const stack = await startImagegateStack({ latencyMs, imageBytes: Number(values['output-bytes']), pinned });
try {
  if (pinned) pin(process.pid, 1);
  const agent = createAgent();
  const image = noisePng(inputBytes);
  const edit = multipartEdit(image, {
    model: 'gpt-image-2',
    prompt: 'make it dusk',
    quality: 'low',
    size: '1024x1024',
  });
  const headers = { authorization: `Bearer ${stack.scratch.apiKey}`, 'content-type': edit.contentType };

  const measure = async (): Promise<Measurement> => {
    // A fresh host each time: memory a collection freed is kept by the process and would look free.
    const host = await stack.startImagegate();
    try {
      const url = new URL(`${host.url}/v1/images/edits`);
      for (let warm = 0; warm < 2; warm++) {
        const answer = await postJson(agent, url, edit.body, headers);
        if (answer.status !== 200) throw new Error(`warm-up answered ${answer.status}`);
      }
      const before = await host.sample({ gc: true, reset: true });
      resetPeakRss(host.pid);
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: inFlight }, () =>
          postJson(agent, url, edit.body, headers).catch(() => ({ status: 0, bytes: 0 })),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const peakBytes = peakRssBytes(host.pid);
      const after = await host.sample({ reset: true });
      return {
        rssBeforeBytes: before.rssBytes,
        peakBytes,
        growthPerEditX: (peakBytes - before.rssBytes) / inFlight / image.length,
        eventLoopP99Ms: after.eventLoopP99Ms,
        errors: answers.filter((answer) => answer.status !== 200).length,
        seconds,
      };
    } finally {
      await host.stop();
    }
  };

  const results: Measurement[] = [];
  for (let index = 1; index <= rounds; index++) {
    const measurement = await measure();
    results.push(measurement);
    log(
      `round ${index}: ${round(measurement.growthPerEditX)}× input bytes per in-flight edit, event loop p99 ${round(measurement.eventLoopP99Ms)} ms, errors ${measurement.errors}`,
    );
  }
  const output = {
    growth_per_edit_x: round(median(results.map((m) => m.growthPerEditX))),
    event_loop_p99_ms: round(median(results.map((m) => m.eventLoopP99Ms))),
    errors: results.reduce((sum, m) => sum + m.errors, 0),
  };
  const targets = { growth_per_edit_x_max: 1.5, errors_max: 0 };
  printFigure({
    name: 'edit-memory',
    pass: meetsTargets(output, targets),
    ratio: output.growth_per_edit_x,
    ratio_meaning: 'RSS growth per in-flight edit / its input bytes, median',
    results: output,
    targets,
    method: {
      in_flight: inFlight,
      input_bytes: image.length,
      emulator_latency_ms: latencyMs,
      rounds,
      order: 'per round: a fresh imagegate process warmed by 2 edits, then the batch at once',
      growth: '(VmHWM during the batch − RSS after gc before it) / in flight / input bytes',
    },
    pinning: pinningNote(pinned, 'the emulator, S3 and the load generator'),
    rounds: results.map((m, index) => ({
      round: index + 1,
      rss_before_mib: round(m.rssBeforeBytes / 2 ** 20, 1),
      peak_mib: round(m.peakBytes / 2 ** 20, 1),
      growth_x: round(m.growthPerEditX),
      event_loop_p99_ms: round(m.eventLoopP99Ms),
      errors: m.errors,
      seconds: round(m.seconds),
    })),
  });
} finally {
  await stack.close();
}
