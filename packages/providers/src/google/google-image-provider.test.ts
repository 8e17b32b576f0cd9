import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageProvider, ProviderImageRequest } from '../spec.ts';
import { createGoogleImageProvider } from './google-image-provider.ts';
import {
  geminiApiConfig,
  imageInfo,
  imageRequest,
  type RunningGoogleEmulator,
  startGoogleEmulator,
  vertexConfig,
} from './google-test-helpers.ts';

let emulator: RunningGoogleEmulator;
/** Vertex and the Gemini API configured: Gemini models go to Vertex. */
let viaVertex: ImageProvider;
/** Only an API key: Gemini models go to the Gemini API, Imagen is unavailable. */
let viaApiKey: ImageProvider;

beforeAll(async () => {
  emulator = await startGoogleEmulator();
  viaVertex = createGoogleImageProvider({ vertex: vertexConfig(emulator), geminiApi: geminiApiConfig(emulator) });
  viaApiKey = createGoogleImageProvider({ geminiApi: geminiApiConfig(emulator) });
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

type Endpoint = 'predict' | 'vertexGenerateContent' | 'geminiGenerateContent';

function lastBody(endpoint: Endpoint): unknown {
  return emulator.stats()[endpoint].lastRequests.at(-1);
}

const gemini = (overrides: Partial<ProviderImageRequest>) =>
  imageRequest({ protocol: 'gemini', providerModel: 'gemini-2.5-flash-image', size: '1024x1024', ...overrides });

describe('createGoogleImageProvider upstream requests', () => {
  const cases: [string, 'vertex' | 'apiKey', ProviderImageRequest, Endpoint, unknown][] = [
    [
      'Imagen with defaults',
      'vertex',
      imageRequest({ n: 2 }),
      'predict',
      {
        instances: [{ prompt: 'a lighthouse at dusk, watercolor' }],
        parameters: {
          sampleCount: 2,
          aspectRatio: '16:9',
          includeRaiReason: true,
          outputOptions: { mimeType: 'image/png' },
        },
      },
    ],
    [
      'Imagen with every option',
      'vertex',
      imageRequest({
        n: 2,
        size: '2816x1536',
        imageSize: '2K',
        outputFormat: 'jpeg',
        outputCompression: 80,
        providerOptions: {
          safetyFilterLevel: 'block_only_high',
          personGeneration: 'allow_adult',
          seed: 42,
          addWatermark: false,
          enhancePrompt: false,
          negativePrompt: 'fog',
          language: 'en',
        },
      }),
      'predict',
      {
        instances: [{ prompt: 'a lighthouse at dusk, watercolor' }],
        parameters: {
          sampleCount: 2,
          aspectRatio: '16:9',
          sampleImageSize: '2K',
          includeRaiReason: true,
          outputOptions: { mimeType: 'image/jpeg', compressionQuality: 80 },
          safetySetting: 'block_only_high',
          personGeneration: 'allow_adult',
          seed: 42,
          addWatermark: false,
          enhancePrompt: false,
          negativePrompt: 'fog',
          language: 'en',
        },
      },
    ],
    [
      'Gemini on Vertex with format, person policy and seed',
      'vertex',
      gemini({
        providerModel: 'gemini-3-pro-image',
        aspectRatio: '16:9',
        imageSize: '2K',
        outputFormat: 'jpeg',
        outputCompression: 70,
        providerOptions: { personGeneration: 'ALLOW_ADULT', seed: 7 },
      }),
      'vertexGenerateContent',
      {
        contents: [{ role: 'user', parts: [{ text: 'a lighthouse at dusk, watercolor' }] }],
        generationConfig: {
          responseModalities: ['IMAGE'],
          imageConfig: {
            aspectRatio: '16:9',
            imageSize: '2K',
            imageOutputOptions: { mimeType: 'image/jpeg', compressionQuality: 70 },
            personGeneration: 'ALLOW_ADULT',
          },
          seed: 7,
        },
      },
    ],
    [
      'Gemini on the Gemini API, where format and person policy cannot be sent',
      'apiKey',
      gemini({ aspectRatio: '1:1', outputFormat: 'jpeg', outputCompression: 70, providerOptions: { seed: 7 } }),
      'geminiGenerateContent',
      {
        contents: [{ role: 'user', parts: [{ text: 'a lighthouse at dusk, watercolor' }] }],
        generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' }, seed: 7 },
      },
    ],
  ];

  it.each(cases)('sends the documented body for %s', async (_name, via, request, endpoint, expected) => {
    await (via === 'vertex' ? viaVertex : viaApiKey).generate(request, {});
    expect(lastBody(endpoint)).toStrictEqual(expected);
  });
});

describe('createGoogleImageProvider results', () => {
  it('returns every Imagen sample as a decodable image of the requested size and format', async () => {
    const result = await viaVertex.generate(imageRequest({ n: 3, outputFormat: 'jpeg' }), {});
    expect(result).toMatchObject({
      size: '1408x768',
      quality: 'standard',
      background: 'opaque',
      outputFormat: 'jpeg',
      usage: undefined,
      warnings: [],
    });
    expect(result.images).toHaveLength(3);
    for (const image of result.images) {
      expect(image.mediaType).toBe('image/jpeg');
      expect(imageInfo(image.bytes)).toEqual({ format: 'jpeg', width: 1408, height: 768 });
    }
  });

  it('returns the final Gemini image, not the thinking draft, with token usage when on Vertex', async () => {
    const request = gemini({ providerModel: 'gemini-3-pro-image', size: '1376x768', aspectRatio: '16:9' });
    const result = await viaVertex.generate(request, {});
    expect(result.images).toHaveLength(1);
    expect(result.images[0]?.mediaType).toBe('image/png');
    expect(imageInfo(result.images[0]?.bytes ?? new Uint8Array())).toEqual({ format: 'png', width: 1376, height: 768 });
    const promptTokens = Math.ceil(request.prompt.length / 4);
    // 1K output image (1120) plus thinking (256), as Google bills both as output.
    expect(result.usage).toEqual({
      input_tokens: promptTokens,
      output_tokens: 1376,
      total_tokens: promptTokens + 1376,
    });
    expect(result).toMatchObject({ size: '1376x768', outputFormat: 'png', warnings: [] });
  });

  it('returns what the Gemini API rendered, with a warning, when it differs from the asked format', async () => {
    const request = gemini({ providerModel: 'gemini-3-pro-image', size: '1024x1024', aspectRatio: '1:1' });
    const result = await viaApiKey.generate(request, {});
    expect(result.outputFormat).toBe('jpeg');
    expect(result.images[0]?.mediaType).toBe('image/jpeg');
    expect(imageInfo(result.images[0]?.bytes ?? new Uint8Array())).toEqual({
      format: 'jpeg',
      width: 1024,
      height: 1024,
    });
    expect(result.warnings).toEqual(['Google returned jpeg although png was requested.']);
  });

  it('returns a PNG without warnings when the Gemini API renders the asked format', async () => {
    const result = await viaApiKey.generate(gemini({ aspectRatio: '1:1' }), {});
    expect(imageInfo(result.images[0]?.bytes ?? new Uint8Array())).toEqual({
      format: 'png',
      width: 1024,
      height: 1024,
    });
    expect(result.warnings).toEqual([]);
    expect(result.usage).toMatchObject({ output_tokens: 1290 });
  });
});

describe('createGoogleImageProvider configuration', () => {
  it('refuses personGeneration on the Gemini API without calling it', async () => {
    const request = gemini({ providerOptions: { personGeneration: 'ALLOW_ADULT' } });
    await expect(viaApiKey.generate(request, {})).rejects.toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      param: 'providerOptions.google.personGeneration',
    });
    expect(emulator.stats().geminiGenerateContent.calls).toBe(0);
  });

  it('refuses Imagen as not configured when only an API key is given', async () => {
    await expect(viaApiKey.generate(imageRequest(), {})).rejects.toMatchObject({
      status: 502,
      code: 'upstream_not_configured',
      retryable: false,
    });
  });
});
