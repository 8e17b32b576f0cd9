import { randomUUID } from 'node:crypto';
import type { RunningBflEmulator } from '@imagegate/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamTask } from '../spec.ts';
import { type BflProviderConfig, createBflImageProvider } from './bfl-image-provider.ts';
import { bflRequest, rejectionOf, startRecordingProxy, startTestEmulator, TEST_KEY } from './bfl-test-helpers.ts';

let emulator: RunningBflEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

function provider(config: Partial<BflProviderConfig> = {}, baseURL = emulator.url) {
  return createBflImageProvider({ apiKey: TEST_KEY, baseURL, pollIntervalMs: 10, ...config });
}

/** Submits a task straight to the emulator, as an earlier delivery of the job would have. */
async function submitDirectly(on: RunningBflEmulator): Promise<UpstreamTask> {
  const response = await fetch(`${on.url}/v1/flux-2-pro`, {
    method: 'POST',
    headers: { 'x-key': TEST_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a bakery', width: 1344, height: 768, output_format: 'png' }),
  });
  const body = (await response.json()) as { id: string; polling_url: string };
  return { id: body.id, pollingUrl: body.polling_url, submittedAt: Date.now() };
}

function gapsOf(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - (times[index] ?? time));
}

describe('createBflImageProvider polling', () => {
  it('backs off between polls while a task renders for 1.5 s', async () => {
    const slow = await startTestEmulator({ renderMs: 1_500 });
    try {
      await createBflImageProvider({ apiKey: TEST_KEY, baseURL: slow.url }).generate(bflRequest(), {});

      const [task] = Object.values(slow.stats().tasks);
      // 500, 750, 1125 ms of waiting: three polls, not dozens.
      expect(task?.polls).toBeGreaterThanOrEqual(2);
      expect(task?.polls).toBeLessThanOrEqual(4);
      const gaps = gapsOf(task?.pollTimes ?? []);
      for (let index = 1; index < gaps.length; index++) {
        expect(gaps[index]).toBeGreaterThan((gaps[index - 1] ?? 0) * 1.2);
      }
    } finally {
      await slow.close();
    }
  });

  it('stops growing the wait at maxPollIntervalMs', async () => {
    const slow = await startTestEmulator({ renderMs: 400 });
    try {
      await provider({ pollIntervalMs: 20, maxPollIntervalMs: 40 }, slow.url).generate(bflRequest(), {});

      // Uncapped (20, 30, 45, 67, 101, 152 ms) it would take 6 polls; capped at 40 ms about 10.
      const [task] = Object.values(slow.stats().tasks);
      expect(task?.polls).toBeGreaterThanOrEqual(8);
    } finally {
      await slow.close();
    }
  });

  it('ends a wait between polls promptly when the caller aborts', async () => {
    emulator.faults.enqueue({ type: 'hang' });
    const pendingTask = await submitDirectly(emulator);
    const startedAt = Date.now();

    // A resumed task is polled at once, then waits 5 s: the abort at 150 ms lands in that wait.
    const generation = provider({ pollIntervalMs: 5_000 }).generate(bflRequest(), {
      pendingTask,
      signal: AbortSignal.timeout(150),
    });
    const error = await rejectionOf(generation);

    expect(error).toMatchObject({ status: 499, type: 'invalid_request_error', code: 'aborted' });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(emulator.stats().tasks[pendingTask.id]?.polls).toBe(1);
  });

  it('ends a slow submission promptly when the caller aborts', async () => {
    emulator.faults.enqueue({ type: 'latency', ms: 10_000 });
    const startedAt = Date.now();

    const error = await rejectionOf(provider().generate(bflRequest(), { signal: AbortSignal.timeout(100) }));

    expect(error).toMatchObject({ status: 499, code: 'aborted' });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('ends a stalled download promptly when the caller aborts', async () => {
    const stalling = await startRecordingProxy(emulator.url, { hold: (path) => path.startsWith('/delivery/') });
    try {
      const startedAt = Date.now();

      const error = await rejectionOf(
        provider({}, stalling.url).generate(bflRequest(), { signal: AbortSignal.timeout(400) }),
      );

      expect(error).toMatchObject({ status: 499, code: 'aborted' });
      expect(Date.now() - startedAt).toBeLessThan(1_200);
      expect(stalling.requests.at(-1)?.path).toMatch(/^\/delivery\//);
    } finally {
      await stalling.close();
    }
  });

  it('polls a pending task without submitting again', async () => {
    const pendingTask = await submitDirectly(emulator);
    emulator.resetStats();
    const reported: UpstreamTask[] = [];

    const result = await provider().generate(bflRequest(), {
      pendingTask,
      onTaskSubmitted: async (task) => {
        reported.push(task);
      },
    });

    expect(result.images).toHaveLength(1);
    expect(emulator.stats().submit.calls).toBe(0);
    expect(emulator.stats().delivery.calls).toBe(1);
    expect(reported).toEqual([]);
  });

  it('submits afresh and reports the new task when a pending task is not found', async () => {
    const lostId = randomUUID();
    const pendingTask = { id: lostId, pollingUrl: `${emulator.url}/v1/get_result?id=${lostId}`, submittedAt: 0 };
    const reported: UpstreamTask[] = [];

    const result = await provider().generate(bflRequest(), {
      pendingTask,
      onTaskSubmitted: async (task) => {
        reported.push(task);
      },
    });

    expect(result.images).toHaveLength(1);
    expect(emulator.stats().submit.calls).toBe(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.id).not.toBe(lostId);
  });

  it('submits afresh when a pending task is Ready but its image link expired', async () => {
    // Long enough for the fresh task's link to be fetched on a loaded machine, short enough to wait out.
    const shortLived = await startTestEmulator({ renderMs: 10, resultTtlMs: 500 });
    try {
      const pendingTask = await submitDirectly(shortLived);
      await new Promise((resolve) => setTimeout(resolve, 600));

      const result = await provider({}, shortLived.url).generate(bflRequest(), { pendingTask });

      expect(result.images).toHaveLength(1);
      expect(shortLived.stats().submit.calls).toBe(2);
      expect(shortLived.stats().delivery.byStatus).toEqual({ 200: 1, 403: 1 });
    } finally {
      await shortLived.close();
    }
  });

  it('is a retryable upstream error when a task it just submitted is not found', async () => {
    const forgetful = await startRecordingProxy(emulator.url, {
      rewrite: (path, body) =>
        path.startsWith('/v1/flux') ? body.replace(/id=[0-9a-f-]+/, `id=${randomUUID()}`) : body,
    });
    try {
      const error = await rejectionOf(provider({}, forgetful.url).generate(bflRequest(), {}));

      expect(error).toMatchObject({ status: 502, code: 'upstream_error', retryable: true });
      expect(emulator.stats().submit.calls).toBe(1);
    } finally {
      await forgetful.close();
    }
  });
});
