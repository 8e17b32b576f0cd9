import { GatewayError } from '@imagegate/core';
import { type RunningEmulator, startOpenAIEmulator } from '@imagegate/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateInCalls, splitIntoCalls } from './generate-in-calls.ts';
import { createOpenAIImageProvider } from './openai/openai-image-provider.ts';
import type { ImageProvider, ProviderImageRequest } from './spec.ts';

let emulator: RunningEmulator;
let provider: ImageProvider;
const request = (n: number): ProviderImageRequest => ({
  protocol: 'openai-images',
  providerModel: 'gpt-image-1-mini',
  prompt: 'tiles',
  n,
  size: '1024x1024',
  quality: 'low',
  background: 'opaque',
  outputFormat: 'png',
});

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  provider = createOpenAIImageProvider({ apiKey: emulator.apiKey, baseURL: emulator.url });
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

describe('splitIntoCalls', () => {
  it.each([
    [1, 1, [1]],
    [3, 1, [1, 1, 1]],
    [10, 4, [4, 4, 2]],
    [4, 4, [4]],
    [2, 10, [2]],
  ])('%d images at most %d per call → %j', (n, perCall, calls) => {
    expect(splitIntoCalls(n, perCall)).toEqual(calls);
  });
});

describe('generateInCalls against the OpenAI emulator', () => {
  it('makes one call per chunk and gathers every image, adding up the usage', async () => {
    const result = await generateInCalls(provider, request(3), { imagesPerCall: 1 });
    expect(result.images).toHaveLength(3);
    expect(emulator.stats().calls).toBe(3);
    expect(result.warnings).toEqual([]);
    const single = await generateInCalls(provider, request(1), { imagesPerCall: 1 });
    expect(result.usage?.output_tokens).toBe(3 * Number(single.usage?.output_tokens));
  });

  it('delivers what arrived when some calls fail, and says how many', async () => {
    emulator.faults.enqueue({ type: 'ok' }, { type: 'error', status: 500 }, { type: 'ok' });
    const result = await generateInCalls(provider, request(3), { imagesPerCall: 1 });
    expect(result.images).toHaveLength(2);
    expect(result.warnings).toEqual(['2 of 3 images were delivered: 1 of 3 upstream calls failed (upstream_error).']);
  });

  it('throws the error retrying cannot fix when every call fails', async () => {
    emulator.faults.enqueue({ type: 'error', status: 500 }, { type: 'moderation' }, { type: 'error', status: 503 });
    const failure = await generateInCalls(provider, request(3), { imagesPerCall: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ code: 'moderation_blocked', retryable: false });
  });

  it('throws a retryable error when every call fails transiently', async () => {
    emulator.faults.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 503 });
    const failure = await generateInCalls(provider, request(2), { imagesPerCall: 1 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upstream_error', retryable: true });
  });

  it('cancels even when some calls already finished: a canceled job is never charged', async () => {
    emulator.faults.enqueue({ type: 'ok' }, { type: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const failure = await generateInCalls(provider, request(2), { imagesPerCall: 1, signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'aborted' });
  });
});
