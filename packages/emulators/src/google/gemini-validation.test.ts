import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGoogleEmulator } from './emulator.ts';
import { startGoogleEmulator } from './emulator.ts';
import { geminiUrl, list, postJson, vertexUrl } from './test-helpers.ts';

let emulator: RunningGoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator();
});
afterAll(() => emulator.close());

const contents = [{ role: 'user', parts: [{ text: 'a lighthouse' }] }];

function config(generationConfig: Record<string, unknown>): unknown {
  return { contents, generationConfig };
}

describe('Gemini generateContent validation', () => {
  it.each<[string, string, unknown, RegExp]>([
    ['the body is an array', 'gemini-2.5-flash-image', [], /Root element must be a message/],
    [
      'a top-level field is unknown',
      'gemini-2.5-flash-image',
      { contents, prompt: 'x' },
      /Unknown name "prompt": Cannot find field/,
    ],
    [
      'contents is missing',
      'gemini-2.5-flash-image',
      {},
      /^\* GenerateContentRequest\.contents: contents is not specified\n$/,
    ],
    [
      'parts is empty',
      'gemini-2.5-flash-image',
      { contents: [{ parts: [] }] },
      /contents\[0\]\.parts: contents\.parts must not be empty/,
    ],
    ['a part has no data', 'gemini-2.5-flash-image', { contents: [{ parts: [{}] }] }, /required oneof field 'data'/],
    [
      'a part sets two data fields',
      'gemini-2.5-flash-image',
      { contents: [{ parts: [{ text: 'a', fileData: {} }] }] },
      /oneof field 'data' is already set/,
    ],
    [
      'a part has an unknown field',
      'gemini-2.5-flash-image',
      { contents: [{ parts: [{ txt: 'a' }] }] },
      /Unknown name "txt" at 'contents\[0\]\.parts\[0\]'/,
    ],
    [
      'the role is invalid',
      'gemini-2.5-flash-image',
      { contents: [{ role: 'system', parts: [{ text: 'a' }] }] },
      /Please use a valid role: user, model\./,
    ],
    [
      'inline data is not base64',
      'gemini-2.5-flash-image',
      { contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: '%%%' } }] }] },
      /Base64 decoding failed/,
    ],
    [
      'inline data has no mime type',
      'gemini-2.5-flash-image',
      { contents: [{ parts: [{ inlineData: { data: 'AA==' } }] }] },
      /mime_type must be specified/,
    ],
    [
      'a generationConfig field is unknown',
      'gemini-2.5-flash-image',
      config({ imageSize: '1K' }),
      /Unknown name "imageSize" at 'generation_config'/,
    ],
    [
      'IMAGE is not among the modalities',
      'gemini-2.5-flash-image',
      config({ responseModalities: ['TEXT'] }),
      /does not support the requested response modalities: text/,
    ],
    [
      'a modality is unknown',
      'gemini-2.5-flash-image',
      config({ responseModalities: ['IMAGE', 'VIDEO'] }),
      /response_modalities\[1\]'/,
    ],
    [
      'two candidates are requested',
      'gemini-2.5-flash-image',
      config({ candidateCount: 2 }),
      /^Multiple candidates is not enabled for models\/gemini-2\.5-flash-image$/,
    ],
    [
      'temperature is a string',
      'gemini-2.5-flash-image',
      config({ temperature: 'hot' }),
      /temperature' \(TYPE_FLOAT\)/,
    ],
    [
      'the aspect ratio is unsupported',
      'gemini-3-pro-image',
      config({ imageConfig: { aspectRatio: '1:4' } }),
      /Unsupported aspect ratio '1:4' for gemini-3-pro-image/,
    ],
    [
      '2.5 Flash is asked for 2K',
      'gemini-2.5-flash-image',
      config({ imageConfig: { imageSize: '2K' } }),
      /Unsupported image size '2K'.*Supported values: 1K\./,
    ],
    [
      'the image size is lower-case',
      'gemini-3-pro-image',
      config({ imageConfig: { imageSize: '2k' } }),
      /Unsupported image size '2k'/,
    ],
    [
      'Pro is asked for 512',
      'gemini-3-pro-image',
      config({ imageConfig: { imageSize: '512' } }),
      /Unsupported image size '512'/,
    ],
    [
      'a Vertex-only image option reaches the Gemini API',
      'gemini-3-pro-image',
      config({ imageConfig: { imageOutputOptions: { mimeType: 'image/png' } } }),
      /Unknown name "imageOutputOptions" at 'generation_config\.image_config'/,
    ],
  ])('answers 400 INVALID_ARGUMENT on the Gemini API when %s', async (_, model, body, message) => {
    const reply = await postJson(geminiUrl(emulator, model), body, { 'x-goog-api-key': emulator.apiKey });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(reply.body.error?.message).toMatch(message);
  });

  it('lists the unknown field in a BadRequest detail when imageConfig has an unknown key', async () => {
    const reply = await postJson(
      geminiUrl(emulator, 'gemini-2.5-flash-image'),
      config({ imageConfig: { size: '1K' } }),
      {
        'x-goog-api-key': emulator.apiKey,
      },
    );
    expect(list(reply.body.error?.details)[0]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [
        { field: 'generation_config.image_config', description: expect.stringContaining('Unknown name "size"') },
      ],
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['a turn has no role', { contents: [{ parts: [{ text: 'a' }] }] }, /Please use a valid role: user, model\./],
    [
      'imageOutputOptions asks for webp',
      config({ imageConfig: { imageOutputOptions: { mimeType: 'image/webp' } } }),
      /mime_type 'image\/webp'/,
    ],
    [
      'compressionQuality is 150',
      config({ imageConfig: { imageOutputOptions: { compressionQuality: 150 } } }),
      /between 0 and 100/,
    ],
    ['personGeneration is unknown', config({ imageConfig: { personGeneration: 'SOMETIMES' } }), /person_generation/],
  ])('answers 400 INVALID_ARGUMENT on Vertex when %s', async (_, body, message) => {
    const reply = await postJson(vertexUrl(emulator, 'gemini-3-pro-image', 'generateContent'), body, {
      authorization: `Bearer ${emulator.issueAccessToken()}`,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error?.message).toMatch(message);
  });

  it('answers 200 and counts input images when a multi-turn edit carries model turns and thought signatures', async () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'a red car' }] },
        { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' }, thoughtSignature: 'c2ln' }] },
        { role: 'user', parts: [{ text: 'make it blue' }] },
      ],
      generationConfig: {
        temperature: 1,
        topP: 0.95,
        seed: 3,
        candidateCount: 1,
        imageConfig: { personGeneration: 'allow_adult' },
      },
      safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }],
    };
    const reply = await postJson(vertexUrl(emulator, 'gemini-3-pro-image', 'generateContent'), body, {
      authorization: `Bearer ${emulator.issueAccessToken()}`,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.usageMetadata?.promptTokensDetails).toEqual([
      { modality: 'TEXT', tokenCount: 6 },
      { modality: 'IMAGE', tokenCount: 560 },
    ]);
  });
});
