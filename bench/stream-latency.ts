/**
 * Benchmark `stream-latency` (docs/benchmarks.md): the time a partial image takes from the upstream
 * to the client through imagegate, with `--streams` streamed generations at once. Target: p50 and
 * p99 under 50 ms added.
 *
 * Each round sends `--streams` requests with `stream: true, partial_images: 3` at once; the emulator
 * spreads three partials over its `--latency-ms` render and logs when it sent each
 * (`GET /__emulator/partials`). The client notes when each partial event has fully arrived. Added
 * latency = arrival − send, per partial: the worker's store and announcement, the ingress's read
 * from Redis and from the object store, and the base64 on the wire. Both clocks are this machine's.
 *
 * `--stagger` starts the streams spread over one partial interval rather than all at once, so their
 * partials do not arrive in bursts of `--streams`.
 *
 *   pnpm bench stream-latency [--streams 20] [--rounds 3] [--latency-ms 2000] [--stagger]
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { startImagegateStack } from './lib/stack.ts';
import { median, percentile, round } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '2000' },
    /** Start the streams spread over one partial interval instead of all at once (the burst is the worst case). */
    stagger: { type: 'boolean', default: false },
  },
});
const streams = Number(values.streams);
const rounds = Number(values.rounds);
const latencyMs = Number(values['latency-ms']);
const log = (message: string) => process.stderr.write(`[stream-latency] ${message}\n`);

/** Sends one streamed generation; resolves with when each partial event arrived, by index. */
function streamOnce(url: URL, apiKey: string, prompt: string): Promise<Map<number, number>> {
  const body = JSON.stringify({ model: 'gpt-image-2', prompt, quality: 'low', stream: true, partial_images: 3 });
  return new Promise((resolve, reject) => {
    const arrivals = new Map<number, number>();
    const call = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (response) => {
        let pending = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          pending += text;
          for (let end = pending.indexOf('\n\n'); end !== -1; end = pending.indexOf('\n\n')) {
            const event = pending.slice(0, end);
            pending = pending.slice(end + 2);
            const index = /"partial_image_index":(\d+)/.exec(event);
            if (index !== null) arrivals.set(Number(index[1]), Date.now());
          }
        });
        response.on('end', () => resolve(arrivals));
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

const pinned = pinningAvailable();
const stack = await startImagegateStack({ latencyMs, imageBytes: 0, pinned });
try {
  if (pinned) pin(process.pid, 1);
  const host = await stack.startImagegate();
  const url = new URL(`${host.url}/v1/images/generations`);
  const apiKey = stack.scratch.apiKey;
  // Warm-up: connections, JIT, lazy modules.
  await streamOnce(url, apiKey, 'warm-up');
  const results: { p50: number; p99: number; partials: number; missing: number }[] = [];
  for (let index = 1; index <= rounds; index++) {
    const prompts = Array.from({ length: streams }, (_, each) => `stream ${index}-${each}-${Date.now()}`);
    const spacingMs = values.stagger ? latencyMs / 4 / streams : 0;
    const arrivals = await Promise.all(
      prompts.map(async (prompt, each) => {
        await new Promise((resolve) => setTimeout(resolve, each * spacingMs));
        return streamOnce(url, apiKey, prompt);
      }),
    );
    const sent = (await (await fetch(new URL('/__emulator/partials', stack.upstreams.url))).json()) as {
      prompt: string;
      index: number;
      atMs: number;
    }[];
    const added: number[] = [];
    let missing = 0;
    prompts.forEach((prompt, each) => {
      for (const entry of sent.filter((one) => one.prompt === prompt)) {
        const at = arrivals[each]?.get(entry.index);
        if (at === undefined) missing++;
        else added.push(at - entry.atMs);
      }
    });
    added.sort((a, b) => a - b);
    const measured = { p50: percentile(added, 50), p99: percentile(added, 99), partials: added.length, missing };
    results.push(measured);
    log(
      `round ${index}: added p50 ${round(measured.p50)} ms, p99 ${round(measured.p99)} ms over ${added.length} partials`,
    );
  }
  const output = {
    added_p50_ms: round(median(results.map((r) => r.p50))),
    added_p99_ms: round(median(results.map((r) => r.p99))),
    missing_partials: results.reduce((sum, r) => sum + r.missing, 0),
  };
  const targets = { added_p50_ms_max: 50, added_p99_ms_max: 50, missing_partials_max: 0 };
  printFigure({
    name: 'stream-latency',
    pass: meetsTargets(output, targets),
    ratio: null,
    ratio_meaning: 'none: the added time is measured against the emulator’s own send times',
    results: output,
    targets,
    method: {
      streams,
      partials_per_stream: 3,
      emulator_render_ms: latencyMs,
      rounds,
      starts: values.stagger
        ? 'spread evenly over one partial interval'
        : 'all at once (partials arrive in bursts of 20)',
      added: 'client arrival of each partial event − the emulator’s send of it, same machine clock',
    },
    pinning: pinningNote(pinned, 'the emulator, S3 and the load generator'),
    rounds: results.map((r, index) => ({
      round: index + 1,
      added_p50_ms: round(r.p50),
      added_p99_ms: round(r.p99),
      partials: r.partials,
      missing: r.missing,
    })),
  });
} finally {
  await stack.close();
}
