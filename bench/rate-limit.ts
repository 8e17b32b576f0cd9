/**
 * Benchmark `rate-limit` (docs/benchmarks.md): OpenAI limited to R calls per second (`PROVIDER_LIMITS`),
 * a backlog of jobs submitted at once, and the emulator (in its own process) recording when each
 * call arrived. Reports the most calls in any sliding second and the rate the backlog drained at,
 * both over R; then a 429 with `Retry-After: 2` and how many calls arrived during those 2 s.
 * Targets: achieved/R in [0.95, 1.00]; 0 calls during Retry-After.
 *
 *   pnpm bench rate-limit [--rate 20] [--jobs 200] [--latency-ms 50]
 */
import { parseArgs } from 'node:util';
import { mostCallsWithin } from '@imagegate/emulators';
import { createAgent, postJson } from './lib/http-client.ts';
import { pin, pinningAvailable, pinningNote } from './lib/pinning.ts';
import { meetsTargets, printFigure } from './lib/report.ts';
import { startImagegateStack } from './lib/stack.ts';
import { round } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '20' },
    jobs: { type: 'string', default: '200' },
    'latency-ms': { type: 'string', default: '50' },
  },
});
const rate = Number(values.rate);
const jobs = Number(values.jobs);
const latencyMs = Number(values['latency-ms']);
const log = (message: string) => process.stderr.write(`${message}\n`);
const pinned = pinningAvailable();

const stack = await startImagegateStack({ latencyMs, imageBytes: 0, pinned });
try {
  if (pinned) pin(process.pid, 1);
  const host = await stack.startImagegate({ PROVIDER_LIMITS: `openai=${rate}rps/${Math.max(2, rate)}/1000000` });
  const control = stack.upstreams.url.replace(/\/v1$/, '');
  const callTimes = async (): Promise<number[]> =>
    ((await (await fetch(`${control}/__emulator/stats`)).json()) as { callTimes: number[] }).callTimes;
  const agent = createAgent();
  const submit = (count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, index) =>
        postJson(
          agent,
          new URL('/v1/images/generations', host.url),
          JSON.stringify({ model: 'gpt-image-2.6-flare', prompt: `backlog ${index}`, response_format: 'url' }),
          { authorization: `Bearer ${stack.scratch.apiKey}`, prefer: 'respond-async' },
        ),
      ),
    );
  const waitForCalls = async (count: number): Promise<number[]> => {
    const deadline = Date.now() + (count / rate) * 3_000 + 30_000;
    for (;;) {
      const times = await callTimes();
      if (times.length >= count || Date.now() > deadline) return times.sort((a, b) => a - b);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  await fetch(`${control}/__emulator/stats`, { method: 'DELETE' });
  log(`rate-limit: ${jobs} jobs at once against ${rate}/s`);
  const accepted = (await submit(jobs)).filter((response) => response.status === 202).length;
  const backlog = await waitForCalls(jobs);
  const span = (backlog.at(-1) as number) - (backlog[0] as number);
  const drained = ((backlog.length - 1) * 1000) / Math.max(1, span);
  const most = mostCallsWithin(backlog);

  // A 429 with Retry-After: 2 on the next call, while more work keeps arriving.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await fetch(`${control}/__emulator/stats`, { method: 'DELETE' });
  await fetch(`${control}/__emulator/faults`, {
    method: 'POST',
    body: JSON.stringify({ script: [{ type: 'rate_limit', retryAfterS: 2 }] }),
  });
  await submit(1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await submit(rate);
  const paused = await waitForCalls(rate + 2);
  const limited = paused[0] as number;
  const during = paused.filter((time) => time > limited && time < limited + 2_000).length;

  const results = {
    achieved_over_r: round(drained / rate, 3),
    max_sliding_second_over_r: round(most / rate, 3),
    calls_during_retry_after: during,
  };
  const targets = { achieved_over_r_min: 0.95, max_sliding_second_over_r_max: 1, calls_during_retry_after_max: 0 };
  printFigure({
    name: 'rate-limit',
    pass: meetsTargets(results, targets),
    ratio: results.achieved_over_r,
    ratio_meaning: 'calls per second the backlog drained at, over the limit R',
    results,
    targets,
    method: {
      limit_per_s: rate,
      jobs,
      accepted,
      emulator_latency_ms: latencyMs,
      measure: 'arrival times recorded by the emulator in its own process',
    },
    pinning: pinningNote(pinned),
    rounds: [
      {
        calls: backlog.length,
        span_ms: span,
        drained_per_s: round(drained, 2),
        most_in_one_second: most,
        retry_after_calls: paused.length,
      },
    ],
  });
} finally {
  await stack.close();
}
