import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGoogleEmulator } from './emulator.ts';
import { startGoogleEmulator } from './emulator.ts';
import type { JsonReply } from './test-helpers.ts';
import { geminiUrl, list, postJson } from './test-helpers.ts';

let emulator: RunningGoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator();
});
afterAll(() => emulator.close());

async function flatPng(colour: string): Promise<string> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: colour } })
    .png()
    .toBuffer();
  return png.toString('base64');
}

/** The final (non-thought) image of a reply, decoded to raw RGB. */
async function finalImage(reply: JsonReply): Promise<{ data: Buffer; width: number; height: number }> {
  const parts = list(list(reply.body.candidates)[0]?.content?.parts);
  const final = parts.find((part) => part.inlineData !== undefined && part.thought === undefined);
  const { data, info } = await sharp(Buffer.from(String(final?.inlineData?.data ?? ''), 'base64'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function edit(text: string, images: string[]): Record<string, unknown> {
  return {
    contents: [
      {
        role: 'user',
        parts: [{ text }, ...images.map((data) => ({ inlineData: { mimeType: 'image/png', data } }))],
      },
    ],
    generationConfig: { responseModalities: ['IMAGE'] },
  };
}

describe('Gemini generateContent with reference images', () => {
  it('derives the output from the first inline image, scaled to the output size', async () => {
    const reply = await postJson(
      geminiUrl(emulator, 'gemini-2.5-flash-image'),
      edit('make it night', [await flatPng('#000000'), await flatPng('#ffffff')]),
      { 'x-goog-api-key': emulator.apiKey },
    );
    expect(reply.status).toBe(200);
    const image = await finalImage(reply);
    expect(image).toMatchObject({ width: 1024, height: 1024 });
    // Black tinted halfway towards a saturated colour: no channel far above 128 anywhere we look;
    // a rendered picture (what a prompt alone gives) is much brighter.
    for (const offset of [0, image.data.length / 2, image.data.length - 3]) {
      expect(Math.max(...image.data.subarray(offset, offset + 3))).toBeLessThanOrEqual(136);
    }
    expect(reply.body.usageMetadata).toMatchObject({ promptTokenCount: expect.any(Number) });
  });

  it('gives different outputs for different first images with the same prompt', async () => {
    const url = geminiUrl(emulator, 'gemini-2.5-flash-image');
    const headers = { 'x-goog-api-key': emulator.apiKey };
    const dark = await finalImage(await postJson(url, edit('same', [await flatPng('#000000')]), headers));
    const light = await finalImage(await postJson(url, edit('same', [await flatPng('#ffffff')]), headers));
    expect(dark.data.subarray(0, 3).equals(light.data.subarray(0, 3))).toBe(false);
  });
});
