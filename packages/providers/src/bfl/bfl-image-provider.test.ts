import type { RunningBflEmulator } from '@imagegate/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readImageDimensions } from '../image-dimensions.ts';
import type { ProviderImageRequest, UpstreamTask } from '../spec.ts';
import { createBflImageProvider } from './bfl-image-provider.ts';
import { bflRequest, pngPixelBytes, startRecordingProxy, startTestEmulator, TEST_KEY } from './bfl-test-helpers.ts';

let emulator: RunningBflEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

function provider(baseURL = emulator.url) {
  return createBflImageProvider({ apiKey: TEST_KEY, baseURL, pollIntervalMs: 10, maxPollIntervalMs: 20 });
}

describe('createBflImageProvider submit body', () => {
  const cases: [string, Partial<ProviderImageRequest>, Record<string, unknown>][] = [
    [
      'FLUX.2 [pro] takes width and height from size',
      { providerModel: 'flux-2-pro', size: '1344x768', outputFormat: 'png' },
      { prompt: 'isometric cutaway of a tiny bakery', width: 1344, height: 768, output_format: 'png' },
    ],
    [
      'FLUX.2 [flex] maps every option to its snake_case field',
      {
        providerModel: 'flux-2-flex',
        size: '1024x1024',
        outputFormat: 'jpeg',
        providerOptions: { safetyTolerance: 4, seed: 7, promptUpsampling: false, guidance: 4.5, steps: 30 },
      },
      {
        prompt: 'isometric cutaway of a tiny bakery',
        width: 1024,
        height: 1024,
        output_format: 'jpeg',
        safety_tolerance: 4,
        seed: 7,
        prompt_upsampling: false,
        guidance: 4.5,
        steps: 30,
      },
    ],
    [
      'Kontext takes aspect_ratio instead of a size',
      { providerModel: 'flux-kontext-pro', size: '1376x768', aspectRatio: '16:9', outputFormat: 'jpeg' },
      { prompt: 'isometric cutaway of a tiny bakery', aspect_ratio: '16:9', output_format: 'jpeg' },
    ],
    [
      'FLUX1.1 [pro] takes width and height, with a seed',
      { providerModel: 'flux-pro-1.1', size: '1024x768', outputFormat: 'webp', providerOptions: { seed: 42 } },
      { prompt: 'isometric cutaway of a tiny bakery', width: 1024, height: 768, output_format: 'webp', seed: 42 },
    ],
    [
      'FLUX1.1 [pro] Ultra takes aspect_ratio and raw',
      {
        providerModel: 'flux-pro-1.1-ultra',
        size: '2752x1152',
        aspectRatio: '21:9',
        outputFormat: 'jpeg',
        providerOptions: { raw: true, safetyTolerance: 6 },
      },
      {
        prompt: 'isometric cutaway of a tiny bakery',
        aspect_ratio: '21:9',
        output_format: 'jpeg',
        raw: true,
        safety_tolerance: 6,
      },
    ],
  ];

  it.each(cases)('sends the exact body when %s', async (_name, overrides, expected) => {
    await provider().generate(bflRequest(overrides), {});
    expect(emulator.stats().submit.lastRequests).toEqual([expected]);
  });
});

describe('createBflImageProvider result', () => {
  it('returns the whole image with the requested size when the model takes width and height', async () => {
    const result = await provider().generate(bflRequest({ size: '1344x768', outputFormat: 'png' }), {});

    expect(result).toMatchObject({
      size: '1344x768',
      quality: 'standard',
      outputFormat: 'png',
      background: 'opaque',
      warnings: [],
    });
    expect(result.images).toHaveLength(1);
    const [image] = result.images;
    expect(image?.mediaType).toBe('image/png');
    expect(pngPixelBytes(image?.bytes ?? new Uint8Array())).toMatchObject({ width: 1344, height: 768 });
  });

  it('reports the pixels the image has when the model is sized by aspect ratio', async () => {
    const request = bflRequest({
      providerModel: 'flux-kontext-max',
      size: '1344x768',
      aspectRatio: '16:9',
      outputFormat: 'jpeg',
    });
    const result = await provider().generate(request, {});

    expect(result.size).toBe('1376x768');
    expect(result.outputFormat).toBe('jpeg');
    expect(result.images[0]?.mediaType).toBe('image/jpeg');
    expect(readImageDimensions(result.images[0]?.bytes ?? new Uint8Array())).toEqual({ width: 1376, height: 768 });
  });

  it('reports the task before the first poll and polls the polling_url it was given', async () => {
    const reported: { task: UpstreamTask; pollsBefore: number }[] = [];
    const onTaskSubmitted = async (task: UpstreamTask) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reported.push({ task, pollsBefore: emulator.stats().poll.calls });
    };
    await provider().generate(bflRequest(), { onTaskSubmitted });

    const stats = emulator.stats();
    expect(reported).toHaveLength(1);
    expect(reported[0]?.pollsBefore).toBe(0);
    expect(reported[0]?.task.pollingUrl).toBe(`${emulator.url}/us3/v1/get_result?id=${reported[0]?.task.id}`);
    expect(Math.abs((reported[0]?.task.submittedAt ?? 0) - Date.now())).toBeLessThan(5_000);
    expect(stats.pollsViaPollingUrl).toBe(stats.poll.calls);
  });

  it('keeps polling a task whose report failed (database down), and reports it once it can', async () => {
    let failuresLeft = 2;
    const reported: UpstreamTask[] = [];
    const onTaskSubmitted = async (task: UpstreamTask) => {
      if (failuresLeft-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      reported.push(task);
    };
    // A task that takes a second to render: the report's retries (after 200 and 400 ms) land meanwhile.
    const slow = await startTestEmulator({ renderMs: 1_000 });
    try {
      const result = await provider(slow.url).generate(bflRequest(), { onTaskSubmitted });
      expect(result.images).toHaveLength(1);
      // One task paid for, not one per failed report.
      expect(slow.stats().submit.calls).toBe(1);
      expect(reported).toHaveLength(1);
      expect(reported[0]?.pollingUrl).toContain(reported[0]?.id);
    } finally {
      await slow.close();
    }
  });

  it('sends x-key to submit and polls but never to the delivery host', async () => {
    const proxy = await startRecordingProxy(emulator.url);
    try {
      await provider(proxy.url).generate(bflRequest(), {});
      const keys = proxy.requests.map(({ path, xKey }) => [path.split('?')[0]?.replace(/[0-9a-f-]{36}/, 'ID'), xKey]);
      expect(keys[0]).toEqual(['/v1/flux-2-pro', TEST_KEY]);
      expect(keys.filter(([path]) => path === '/us3/v1/get_result').length).toBeGreaterThan(0);
      expect(keys.filter(([path]) => path === '/us3/v1/get_result').every(([, key]) => key === TEST_KEY)).toBe(true);
      expect(keys.at(-1)).toEqual(['/delivery/ID.png', undefined]);
    } finally {
      await proxy.close();
    }
  });
});
