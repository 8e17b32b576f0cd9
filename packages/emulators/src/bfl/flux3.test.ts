import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBflEmulator } from './emulator.ts';
import { startBflEmulator } from './emulator.ts';
import { pollingUrl, pollUntilDone, sampleUrl, submit } from './test-helpers.ts';

let emulator: RunningBflEmulator;

beforeAll(async () => {
  emulator = await startBflEmulator({ renderMs: 0 });
});
afterAll(() => emulator.close());

describe('FLUX 3 Image', () => {
  it('renders an aspect ratio at a resolution class, as JPEG', async () => {
    const submitted = await submit(emulator, 'flux-3-image', {
      prompt: 'a harbour',
      aspect_ratio: '16:9',
      resolution: '1k',
      safety_tolerance: 2,
      grounding: false,
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ cost: 4.8 });
    const done = await pollUntilDone(pollingUrl(submitted));
    const image = Buffer.from(await (await fetch(sampleUrl(done))).arrayBuffer());
    expect(await sharp(image).metadata()).toMatchObject({ format: 'jpeg', width: 1360, height: 768 });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a seed (its schema is strict)', { prompt: 'x', seed: 7 }, 'extra_forbidden'],
    ['width and height', { prompt: 'x', width: 1024, height: 1024 }, 'extra_forbidden'],
    ['output_format', { prompt: 'x', output_format: 'png' }, 'extra_forbidden'],
    ['safety_tolerance 5', { prompt: 'x', safety_tolerance: 5 }, 'less_than_equal'],
    ['an unknown resolution', { prompt: 'x', resolution: '8k' }, 'enum'],
  ])('refuses %s with 422', async (_case, body, type) => {
    const reply = await submit(emulator, 'flux-3-image', body);
    expect(reply.status).toBe(422);
    expect(JSON.stringify(reply.body)).toContain(`"type":"${type}"`);
  });
});
