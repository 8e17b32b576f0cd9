import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGoogleEmulator } from './emulator.ts';
import { startGoogleEmulator } from './emulator.ts';
import { postJson, vertexUrl } from './test-helpers.ts';

let emulator: RunningGoogleEmulator;
let token: string;

beforeAll(async () => {
  emulator = await startGoogleEmulator();
  token = emulator.issueAccessToken();
});
afterAll(() => emulator.close());

const ok = { instances: [{ prompt: 'a lighthouse' }], parameters: { sampleCount: 1 } };

function withParameters(parameters: Record<string, unknown>): unknown {
  return { ...ok, parameters: { ...ok.parameters, ...parameters } };
}

describe('Vertex Imagen :predict validation', () => {
  it.each<[string, unknown, RegExp, string?]>([
    ['the body is an array', [], /Root element must be a message/],
    ['a top-level field is unknown', { ...ok, instance: [] }, /Unknown name "instance": Cannot find field\./],
    ['instances is missing', { parameters: {} }, /instances must be a non-empty list/],
    ['instances is empty', { instances: [] }, /instances must be a non-empty list/],
    ['there are two instances', { instances: [{ prompt: 'a' }, { prompt: 'b' }] }, /exactly one instance/],
    ['the prompt is missing', { instances: [{}] }, /Missing required field: instances\[0\]\.prompt/],
    ['the prompt is not a string', { instances: [{ prompt: 7 }] }, /instances\[0\]\.prompt' \(TYPE_STRING\)/],
    ['the prompt is blank', { instances: [{ prompt: '  ' }] }, /The prompt is empty/],
    ['the prompt exceeds 480 tokens', { instances: [{ prompt: 'x'.repeat(1921) }] }, /maximum is 480 tokens/],
    ['parameters is a string', { ...ok, parameters: 'fast' }, /'parameters': expected an object/],
    ['sampleCount is 0', withParameters({ sampleCount: 0 }), /between 1 and 4/],
    ['sampleCount is 5', withParameters({ sampleCount: 5 }), /between 1 and 4/],
    ['sampleCount is fractional', withParameters({ sampleCount: 1.5 }), /sampleCount' \(TYPE_INT32\)/],
    ['aspectRatio is 2:1', withParameters({ aspectRatio: '2:1' }), /Unsupported aspect ratio '2:1'/],
    ['sampleImageSize is 4K', withParameters({ sampleImageSize: '4K' }), /Unsupported sampleImageSize '4K'/],
    [
      'the fast model is asked for 2K',
      withParameters({ sampleImageSize: '2K' }),
      /only generates 1K images/,
      'imagen-4.0-fast-generate-001',
    ],
    [
      'mimeType is webp',
      withParameters({ outputOptions: { mimeType: 'image/webp' } }),
      /Unsupported outputOptions\.mimeType/,
    ],
    ['compressionQuality is 101', withParameters({ outputOptions: { compressionQuality: 101 } }), /between 0 and 100/],
    ['personGeneration is unknown', withParameters({ personGeneration: 'everyone' }), /Unsupported personGeneration/],
    ['safetySetting is unknown', withParameters({ safetySetting: 'block_all' }), /Unsupported safetySetting/],
    ['language is unknown', withParameters({ language: 'fr' }), /Unsupported language/],
    ['addWatermark is a string', withParameters({ addWatermark: 'no' }), /addWatermark' \(TYPE_BOOL\)/],
    ['seed is set while the watermark is on', withParameters({ seed: 7 }), /Seed is not supported when addWatermark/],
    ['storageUri is set', withParameters({ storageUri: 'gs://bucket/out' }), /storageUri is not supported/],
  ])('answers 400 INVALID_ARGUMENT when %s', async (_, body, message, model = 'imagen-4.0-generate-001') => {
    const reply = await postJson(vertexUrl(emulator, model, 'predict'), body, { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(reply.body.error?.message).toMatch(message);
  });

  it('answers 200 when enums differ in case, a seed comes with the watermark off and parameters has unknown keys', async () => {
    const body = withParameters({
      sampleImageSize: '2k',
      personGeneration: 'ALLOW_ADULT',
      safetySetting: 'BLOCK_ONLY_HIGH',
      language: 'en',
      addWatermark: false,
      seed: 1234,
      futureKnob: true,
    });
    const reply = await postJson(vertexUrl(emulator, 'imagen-4.0-generate-001', 'predict'), body, {
      authorization: `Bearer ${token}`,
    });
    expect(reply.status).toBe(200);
  });

  it('answers 400 INVALID_ARGUMENT quoting the parser when the JSON is malformed', async () => {
    const reply = await postJson(vertexUrl(emulator, 'imagen-4.0-generate-001', 'predict'), '{"instances": [', {
      authorization: `Bearer ${token}`,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error?.message).toMatch(/^Invalid JSON payload received\. /);
  });

  it.each([
    ['a Gemini model', 'gemini-2.5-flash-image'],
    ['an unknown model', 'imagen-3.0-generate-002'],
  ])('answers 404 NOT_FOUND naming the publisher model when :predict targets %s', async (_, model) => {
    const reply = await postJson(vertexUrl(emulator, model, 'predict'), ok, { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(404);
    expect(reply.body.error).toEqual({
      code: 404,
      status: 'NOT_FOUND',
      message: `Publisher Model \`projects/${emulator.projectId}/locations/us-central1/publishers/google/models/${model}\` not found.`,
    });
  });

  it('answers 404 NOT_FOUND in the Google envelope when the method or path is unknown', async () => {
    const stream = vertexUrl(emulator, 'imagen-4.0-generate-001', 'predict').replace(':predict', ':streamPredict');
    expect((await postJson(stream, ok, { authorization: `Bearer ${token}` })).body.error?.status).toBe('NOT_FOUND');
    const unknown = await postJson(`${emulator.url}/v1/nowhere`, ok);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.status).toBe('NOT_FOUND');
  });
});
