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

const WIDTH = 256;
const HEIGHT = 192;

/** A gradient, so "unchanged" is checked against distinct values. */
async function sourceBase64(width = WIDTH, height = HEIGHT, alphaLeftHalf = false): Promise<string> {
  const channels = alphaLeftHalf ? 4 : 3;
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * channels;
      pixels[at] = x % 256;
      pixels[at + 1] = 60;
      pixels[at + 2] = y % 256;
      if (alphaLeftHalf) pixels[at + 3] = x < width / 2 ? 0 : 255;
    }
  }
  return (await sharp(pixels, { raw: { width, height, channels } }).png().toBuffer()).toString('base64');
}

/** BFL's convention: white = inpaint (the top half here), black = keep. */
async function topHalfMask(width = WIDTH, height = HEIGHT): Promise<string> {
  const pixels = Buffer.alloc(width * height);
  pixels.fill(255, 0, width * (height / 2));
  return (
    await sharp(pixels, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer()
  ).toString('base64');
}

async function decoded(base64OrBytes: string | Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const input = typeof base64OrBytes === 'string' ? Buffer.from(base64OrBytes, 'base64') : base64OrBytes;
  const { data, info } = await sharp(input).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixels that differ between two same-size images, split by a predicate on (x, y). */
function changes(
  before: { data: Buffer; width: number; height: number },
  after: { data: Buffer },
  inside: (x: number, y: number) => boolean,
) {
  let changedInside = 0;
  let changedOutside = 0;
  let insideTotal = 0;
  for (let y = 0; y < before.height; y++) {
    for (let x = 0; x < before.width; x++) {
      const at = (y * before.width + x) * 3;
      const same = before.data.subarray(at, at + 3).equals(after.data.subarray(at, at + 3));
      if (inside(x, y)) {
        insideTotal++;
        if (!same) changedInside++;
      } else if (!same) changedOutside++;
    }
  }
  return { changedInside, changedOutside, insideTotal };
}

async function fillResult(body: Record<string, unknown>): Promise<Buffer> {
  const submitted = await submit(emulator, 'flux-pro-1.0-fill', body);
  expect(submitted.status).toBe(200);
  const done = await pollUntilDone(pollingUrl(submitted));
  expect(done.body.status).toBe('Ready');
  return Buffer.from(await (await fetch(sampleUrl(done))).arrayBuffer());
}

describe('flux-pro-1.0-fill', () => {
  it('repaints exactly the white pixels of the mask and keeps the black ones', async () => {
    const image = await sourceBase64();
    const result = await fillResult({ prompt: 'a window', image, mask: await topHalfMask(), output_format: 'png' });
    const before = await decoded(image);
    const after = await decoded(result);
    expect(after).toMatchObject({ width: WIDTH, height: HEIGHT });
    const counted = changes(before, after, (_x, y) => y < HEIGHT / 2);
    expect(counted.changedOutside).toBe(0);
    expect(counted.changedInside).toBeGreaterThan(0.95 * counted.insideTotal);
  });

  it("inpaints the image's transparent pixels when no mask is sent", async () => {
    const image = await sourceBase64(WIDTH, HEIGHT, true);
    const result = await fillResult({ prompt: 'a door', image, output_format: 'png' });
    const counted = changes(await decoded(image), await decoded(result), (x) => x < WIDTH / 2);
    expect(counted.changedOutside).toBe(0);
    expect(counted.changedInside).toBeGreaterThan(0.95 * counted.insideTotal);
  });

  it('bills a flat 5 credits and defaults to JPEG', async () => {
    const submitted = await submit(emulator, 'flux-pro-1.0-fill', {
      prompt: 'x',
      image: await sourceBase64(),
      mask: await topHalfMask(),
    });
    expect(submitted.body).toMatchObject({ cost: 5, input_mp: 2 });
    const done = await pollUntilDone(pollingUrl(submitted));
    const meta = await sharp(Buffer.from(await (await fetch(sampleUrl(done))).arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: WIDTH, height: HEIGHT });
  });

  it.each<[string, () => Promise<Record<string, unknown>>, string, string]>([
    ['image is missing', async () => ({ prompt: 'x', mask: await topHalfMask() }), 'image', 'missing'],
    [
      'image is not an image',
      async () => ({ prompt: 'x', image: Buffer.from('hello').toString('base64') }),
      'image',
      'value_error',
    ],
    [
      'the mask is not the size of the image',
      async () => ({ prompt: 'x', image: await sourceBase64(), mask: await topHalfMask(64, 64) }),
      'mask',
      'value_error',
    ],
    [
      'steps is above 50',
      async () => ({ prompt: 'x', image: await sourceBase64(), steps: 51 }),
      'steps',
      'less_than_equal',
    ],
  ])('answers 422 naming the field when %s', async (_name, body, field, type) => {
    const reply = await submit(emulator, 'flux-pro-1.0-fill', await body());
    expect(reply.status).toBe(422);
    expect(reply.body.detail).toEqual(
      expect.arrayContaining([expect.objectContaining({ loc: ['body', field], type })]),
    );
  });
});

describe('reference edits', () => {
  it.each<[string, (image: string) => Record<string, unknown>]>([
    ['flux-kontext-pro', (image) => ({ prompt: 'x', input_image: image, output_format: 'png' })],
    ['flux-2-pro', (image) => ({ prompt: 'x', input_image: image, width: 256, height: 192, output_format: 'png' })],
    ['flux-3-image', (image) => ({ prompt: 'x', images: [image], resolution: '768sq' })],
  ])('%s derives its output from the first input image', async (model, body) => {
    // A flat colour the prompt's tint cannot leave unchanged: the output's corner is a blend of it.
    const image = (
      await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000000' } })
        .png()
        .toBuffer()
    ).toString('base64');
    const submitted = await submit(emulator, model, body(image));
    expect(submitted.status).toBe(200);
    const done = await pollUntilDone(pollingUrl(submitted));
    const output = await decoded(Buffer.from(await (await fetch(sampleUrl(done))).arrayBuffer()));
    // Halfway from black to a saturated colour: no channel above ~128 (the rendered picture is brighter).
    expect(Math.max(...output.data.subarray(0, 3))).toBeLessThanOrEqual(136);
  });
});
