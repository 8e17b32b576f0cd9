import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, postJson } from './http-client.ts';
import { runOpenLoop } from './open-loop.ts';
import { percentile } from './stats.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** An HTTP server that serves one request at a time, each taking `serviceMs`. */
async function startSerialServer(serviceMs: number): Promise<URL> {
  let queue = Promise.resolve();
  server = createServer((request, response) => {
    request.resume();
    queue = queue.then(async () => {
      await new Promise((resolve) => setTimeout(resolve, serviceMs));
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe('runOpenLoop', () => {
  it('sends every request at its scheduled time, never before it, whether or not earlier ones answered', async () => {
    const sentAt: number[] = [];
    const outstandingAtSend: number[] = [];
    let answered = 0;
    // Answers take 200 ms, far longer than the 5 ms between sends: a closed loop would stall.
    const result = await runOpenLoop({
      ratePerS: 200,
      durationS: 0.5,
      warmupS: 0,
      send: async (index) => {
        sentAt[index] = performance.now();
        outstandingAtSend[index] = index - answered;
        await new Promise((resolve) => setTimeout(resolve, 200));
        answered++;
        return true;
      },
    });
    expect(sentAt).toHaveLength(100);
    const lateness = sentAt.map((time, index) => time - (result.startMs + (index / 200) * 1000));
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(-0.5);
    const sorted = [...lateness].sort((a, b) => a - b);
    expect(percentile(sorted, 50)).toBeLessThan(10);
    // Request 30, due at 150 ms, went out with all 30 before it still unanswered.
    expect(outstandingAtSend[30]).toBe(30);
    expect(result).toMatchObject({ sent: 100, ok: 100, errors: 0 });
  });

  it('shows the queueing behind a slow serial server in the tail (no coordinated omission)', async () => {
    // 100 requests/s offered for 0.5 s to a server that does 50/s: request i waits for the i before
    // it, so the last one, due at 490 ms, answers near 1,000 ms. Measured from its send in a closed
    // loop every request would look like 20 ms.
    const url = await startSerialServer(20);
    const agent = createAgent(64);
    const result = await runOpenLoop({
      ratePerS: 100,
      durationS: 0.5,
      warmupS: 0,
      send: async () => (await postJson(agent, url, '{}', {})).status === 200,
    });
    agent.destroy();
    expect(result.ok).toBe(50);
    expect(result.p50Ms).toBeGreaterThan(150);
    expect(result.p99Ms).toBeGreaterThan(400);
    expect(result.maxMs).toBeGreaterThan(400);
    expect(result.achievedPerS).toBeLessThan(75);
  });

  it('counts a stall of the load generator itself against the requests it delayed', async () => {
    // The first send blocks the event loop for 150 ms; the requests due meanwhile go out late and
    // answer at once, yet their latency counts from when they were due.
    const result = await runOpenLoop({
      ratePerS: 100,
      durationS: 0.5,
      warmupS: 0,
      send: async (index) => {
        if (index === 0) {
          const until = performance.now() + 150;
          while (performance.now() < until) {}
        }
        return true;
      },
    });
    expect(result.maxMs).toBeGreaterThan(120);
    expect(result.p99Ms).toBeGreaterThan(100);
    expect(result.p50Ms).toBeLessThan(20);
  });

  it('sends the warm-up requests but leaves them out of the figures', async () => {
    let sent = 0;
    const result = await runOpenLoop({
      ratePerS: 100,
      durationS: 0.3,
      warmupS: 0.2,
      send: async (index) => {
        sent++;
        // Warm-up answers are slow; measured ones are fast. The slow ones must not show.
        await new Promise((resolve) => setTimeout(resolve, index < 20 ? 100 : 0));
        return true;
      },
    });
    expect(sent).toBe(50);
    expect(result.sent).toBe(30);
    expect(result.ok).toBe(30);
    expect(result.maxMs).toBeLessThan(80);
  });

  it('counts failed and rejected sends as errors', async () => {
    const result = await runOpenLoop({
      ratePerS: 100,
      durationS: 0.2,
      warmupS: 0,
      send: async (index) => {
        if (index % 4 === 0) throw new Error('connection refused');
        return index % 4 !== 1;
      },
    });
    expect(result).toMatchObject({ sent: 20, ok: 10, errors: 10 });
  });
});
