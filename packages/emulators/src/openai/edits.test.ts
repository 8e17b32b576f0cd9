import { OpenAI, toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from './emulator.ts';
import { startOpenAIEmulator } from './emulator.ts';

let emulator: RunningEmulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  client = new OpenAI({ apiKey: emulator.apiKey, baseURL: emulator.url, maxRetries: 0 });
});
afterAll(() => emulator.close());

const EDGE = 1024;

/** A horizontal gradient, so "unchanged" is checked against distinct values, not one flat colour. */
function sourcePng(width = EDGE, height = EDGE): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      pixels[at] = Math.floor((x * 255) / width);
      pixels[at + 1] = 90;
      pixels[at + 2] = Math.floor((y * 255) / height);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** OpenAI's mask convention: the left half fully transparent (edit), the right half opaque (keep). */
function leftHalfMask(width = EDGE, height = EDGE, channels: 3 | 4 = 4): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * channels, 255);
  if (channels === 4) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width / 2; x++) pixels[(y * width + x) * 4 + 3] = 0;
    }
  }
  return sharp(pixels, { raw: { width, height, channels } }).png().toBuffer();
}

async function rawPixels(base64: string | undefined): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(base64 ?? '', 'base64'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function pixelAt(image: { data: Buffer; width: number }, x: number, y: number): number[] {
  const at = (y * image.width + x) * 3;
  return [...image.data.subarray(at, at + 3)];
}

describe('POST /v1/images/edits', () => {
  it('repaints exactly the transparent area of the mask and keeps every other pixel when the SDK sends image + mask', async () => {
    const source = await rawPixels((await sourcePng()).toString('base64'));
    const response = await client.images.edit({
      model: 'gpt-image-1.5',
      image: await toFile(await sourcePng(), 'photo.png', { type: 'image/png' }),
      mask: await toFile(await leftHalfMask(), 'mask.png', { type: 'image/png' }),
      prompt: 'a red door',
      size: '1024x1024',
    });
    const edited = await rawPixels(response.data?.[0]?.b64_json);
    expect(edited).toMatchObject({ width: EDGE, height: EDGE });
    let changedInside = 0;
    let changedOutside = 0;
    for (let y = 0; y < EDGE; y += 7) {
      for (let x = 0; x < EDGE; x += 5) {
        const same = pixelAt(edited, x, y).join() === pixelAt(source, x, y).join();
        if (x < EDGE / 2 && !same) changedInside++;
        if (x >= EDGE / 2 && !same) changedOutside++;
      }
    }
    expect(changedOutside).toBe(0);
    // Samples in the left half where the gradient happens to equal the repaint colour are rare.
    expect(changedInside).toBeGreaterThan(0.95 * Math.ceil(EDGE / 7) * Math.ceil(EDGE / 2 / 5));
    expect(response).toMatchObject({ size: '1024x1024', quality: 'medium', output_format: 'png' });
  });

  it('tints the whole first image when no mask is sent, and bills the input images as image tokens', async () => {
    const source = await rawPixels((await sourcePng()).toString('base64'));
    const other = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const response = await client.images.edit({
      model: 'gpt-image-2',
      image: [
        await toFile(await sourcePng(), 'a.png', { type: 'image/png' }),
        await toFile(other, 'b.png', { type: 'image/png' }),
      ],
      prompt: 'make it dusk',
      size: '1024x1024',
      n: 2,
      output_format: 'png',
    });
    expect(response.data).toHaveLength(2);
    const edited = await rawPixels(response.data?.[1]?.b64_json);
    expect(pixelAt(edited, 10, 10)).not.toEqual(pixelAt(source, 10, 10));
    expect(pixelAt(edited, 900, 900)).not.toEqual(pixelAt(source, 900, 900));
    expect(response.usage?.input_tokens_details.image_tokens).toBeGreaterThan(0);
  });

  it('scales the first image to the requested size and encodes the requested format', async () => {
    const response = await client.images.edit({
      model: 'gpt-image-1.5',
      image: await toFile(await sourcePng(), 'photo.png', { type: 'image/png' }),
      prompt: 'wider',
      size: '1536x1024',
      output_format: 'webp',
      output_compression: 60,
    });
    const meta = await sharp(Buffer.from(response.data?.[0]?.b64_json ?? '', 'base64')).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 1536, height: 1024 });
  });

  it('repaints exactly what the markup overlay draws (alpha above 0) and keeps the rest', async () => {
    // The inverse of the mask convention: the left half is drawn on (opaque), the right half transparent.
    const markup = Buffer.alloc(256 * 256 * 4, 0);
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 128; x++) markup[(y * 256 + x) * 4 + 3] = 255;
    }
    const form = new FormData();
    form.append('image', new Blob([await sourcePng(256, 256)], { type: 'image/png' }), 'a.png');
    form.append(
      'markup',
      new Blob([
        await sharp(markup, { raw: { width: 256, height: 256, channels: 4 } })
          .png()
          .toBuffer(),
      ]),
      'markup.png',
    );
    form.append('prompt', 'a red door');
    form.append('size', '1024x1024');
    const response = await fetch(`${emulator.url}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}` },
      body: form,
    });
    const body = (await response.json()) as { data: { b64_json: string }[] };
    const edited = await rawPixels(body.data[0]?.b64_json);
    // The 256² source is scaled to 1024²: compare the right half only against a scaled source.
    const scaled = await sharp(await sourcePng(256, 256))
      .resize(1024, 1024, { fit: 'fill' })
      .raw()
      .toBuffer();
    expect(pixelAt(edited, 900, 500)).toEqual(pixelAt({ data: scaled, width: 1024 }, 900, 500));
    expect(pixelAt(edited, 100, 500)).not.toEqual(pixelAt({ data: scaled, width: 1024 }, 100, 500));
  });

  it('answers a prompt directive fault in OpenAI form when the request is valid', async () => {
    const form = new FormData();
    form.append('image', new Blob([await sourcePng(64, 64)], { type: 'image/png' }), 'a.png');
    form.append('prompt', 'x [emulate:429:retry-after=3]');
    const response = await fetch(`${emulator.url}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}` },
      body: form,
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
  });
});

describe('POST /v1/images/edits refusals', () => {
  type Part = [name: string, value: string | Promise<Buffer>, filename?: string];
  const image = (): Part => ['image', sourcePng(64, 64), 'a.png'];
  const prompt: Part = ['prompt', 'a cat'];

  it.each<[string, () => Part[], number, string | null, string | null]>([
    ['no image is sent', () => [prompt], 400, 'image', 'missing_required_parameter'],
    [
      'an image part is a text file named x.png',
      () => [['image', Promise.resolve(Buffer.from('not an image')), 'x.png'], prompt],
      400,
      'image',
      'invalid_image_file',
    ],
    [
      'the mask is not the size of the first image',
      () => [image(), ['mask', leftHalfMask(32, 32), 'm.png'], prompt],
      400,
      'mask',
      'invalid_image_dimensions',
    ],
    [
      'the mask has no alpha channel',
      () => [image(), ['mask', leftHalfMask(64, 64, 3), 'm.png'], prompt],
      400,
      'mask',
      'invalid_image_format',
    ],
    [
      '17 images are sent',
      () => [...Array.from({ length: 17 }, (): Part => ['image[]', sourcePng(16, 16), 'a.png']), prompt],
      400,
      'image',
      'array_above_max_length',
    ],
    ['the prompt is missing', () => [image()], 400, 'prompt', 'missing_required_parameter'],
    [
      'response_format is sent to a GPT image model',
      () => [image(), prompt, ['response_format', 'b64_json']],
      400,
      'response_format',
      'unknown_parameter',
    ],
    [
      'input_fidelity goes to gpt-image-1-mini',
      () => [image(), prompt, ['model', 'gpt-image-1-mini'], ['input_fidelity', 'high']],
      400,
      'input_fidelity',
      'invalid_value',
    ],
    [
      'markup and mask are both sent',
      () => [image(), ['mask', leftHalfMask(64, 64), 'm.png'], ['markup', leftHalfMask(64, 64), 'k.png'], prompt],
      400,
      'markup',
      'invalid_value',
    ],
    [
      'a mask goes with output_format gif',
      () => [
        image(),
        ['mask', leftHalfMask(64, 64), 'm.png'],
        prompt,
        ['model', 'gpt-image-2.6-sunburst'],
        ['output_format', 'gif'],
        ['size', '1024x1024'],
      ],
      400,
      'mask',
      'invalid_value',
    ],
    ['n is not an integer', () => [image(), prompt, ['n', 'two']], 400, 'n', 'invalid_type'],
    ['an unknown text part is sent', () => [image(), prompt, ['colour', 'red']], 400, 'colour', 'unknown_parameter'],
    ['the model does not exist', () => [image(), prompt, ['model', 'dall-e-9']], 404, null, 'model_not_found'],
  ])('answers %s with the envelope naming the part', async (_name, parts, status, param, code) => {
    const form = new FormData();
    for (const [name, value, filename] of parts()) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, new Blob([await value], { type: 'image/png' }), filename);
    }
    emulator.faults.enqueue({ type: 'error', status: 500 });
    const response = await fetch(`${emulator.url}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}` },
      body: form,
    });
    const body = (await response.json()) as { error: { type: string; param: string | null; code: string | null } };
    expect(response.status).toBe(status);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param, code });
    // A refused request leaves the scripted fault for the next valid call.
    expect(emulator.faults.state().pending).toHaveLength(1);
    emulator.faults.reset();
  });

  it('answers 400 when the multipart body breaks off before its closing boundary', async () => {
    const response = await fetch(`${emulator.url}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\ncontent-disposition: form-data; name="prompt"\r\n\r\na cat',
    });
    const body = (await response.json()) as { error: { type: string } };
    expect(response.status).toBe(400);
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('answers 400 when the body is JSON instead of multipart', async () => {
    const response = await fetch(`${emulator.url}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x' }),
    });
    expect(response.status).toBe(400);
  });
});
