import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGoogleEmulator } from './emulator.ts';
import { startGoogleEmulator } from './emulator.ts';
import type { JsonReply, Loose } from './test-helpers.ts';
import { decode, geminiUrl, list, postJson, vertexUrl } from './test-helpers.ts';

let emulator: RunningGoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator();
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

function request(text: string, generationConfig: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contents: [{ role: 'user', parts: [{ text }] }],
    generationConfig: { responseModalities: ['TEXT', 'IMAGE'], ...generationConfig },
  };
}

function viaGeminiApi(model: string, body: unknown): Promise<JsonReply> {
  return postJson(geminiUrl(emulator, model), body, { 'x-goog-api-key': emulator.apiKey });
}

function viaVertex(model: string, body: unknown): Promise<JsonReply> {
  return postJson(vertexUrl(emulator, model, 'generateContent', { location: 'global' }), body, {
    authorization: `Bearer ${emulator.issueAccessToken()}`,
  });
}

function parts(reply: JsonReply): Loose[] {
  return list(list(reply.body.candidates)[0]?.content?.parts);
}

describe('Gemini generateContent', () => {
  it.each([
    ['gemini-2.5-flash-image', '1:1', '1K', 'png', 1024, 1024],
    ['gemini-2.5-flash-image', '16:9', '1K', 'png', 1344, 768],
    ['gemini-3-pro-image', '16:9', '1K', 'jpeg', 1376, 768],
    ['gemini-3-pro-image', '4:5', '2K', 'jpeg', 1856, 2304],
    ['gemini-3.1-flash-image', '1:4', '1K', 'jpeg', 512, 2048],
    ['gemini-3.1-flash-image', '21:9', '512', 'jpeg', 792, 336],
  ])(
    'returns one %s image of the right size when aspectRatio is %s at %s',
    async (model, aspectRatio, imageSize, format, width, height) => {
      const reply = await viaGeminiApi(model, request('a lighthouse', { imageConfig: { aspectRatio, imageSize } }));
      expect(reply.status).toBe(200);
      const finals = parts(reply).filter((part) => part.inlineData !== undefined && part.thought === undefined);
      expect(finals).toHaveLength(1);
      expect(finals[0]?.inlineData?.mimeType).toBe(`image/${format}`);
      expect(await decode(finals[0]?.inlineData?.data)).toMatchObject({ format, width, height });
      expect(list(reply.body.candidates)[0]?.finishReason).toBe('STOP');
      expect(reply.body.modelVersion).toBe(model);
    },
  );

  it('answers text then image with 1290 image tokens when gemini-2.5-flash-image renders 1K', async () => {
    const reply = await viaGeminiApi('gemini-2.5-flash-image', request('abcdefgh'));
    const [text, image] = parts(reply);
    expect(text?.text).toEqual(expect.any(String));
    expect(image?.inlineData?.mimeType).toBe('image/png');
    expect(parts(reply)).toHaveLength(2);
    expect(reply.body.usageMetadata).toMatchObject({
      promptTokenCount: 2,
      candidatesTokensDetails: [
        { modality: 'IMAGE', tokenCount: 1290 },
        { modality: 'TEXT', tokenCount: expect.any(Number) },
      ],
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }],
    });
    expect(reply.body.usageMetadata?.thoughtsTokenCount).toBeUndefined();
  });

  it('puts an interim thought image before the final signed image when a Gemini 3 model thinks', async () => {
    const reply = await viaGeminiApi('gemini-3-pro-image', request('a bridge'));
    const [thought, text, final] = parts(reply);
    expect(thought).toMatchObject({ thought: true, inlineData: { mimeType: 'image/jpeg' } });
    expect(await decode(thought?.inlineData?.data)).toMatchObject({ format: 'jpeg', width: 512, height: 512 });
    expect(text?.text).toEqual(expect.any(String));
    expect(final).toMatchObject({ inlineData: { mimeType: 'image/jpeg' }, thoughtSignature: expect.any(String) });
    expect(final?.inlineData?.data).not.toBe(thought?.inlineData?.data);
    expect(reply.body.usageMetadata).toMatchObject({
      thoughtsTokenCount: 256,
      candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1120 }, {}],
    });
  });

  it('omits the text part when only IMAGE is requested and counts input images in the prompt', async () => {
    const body = {
      contents: [
        { parts: [{ text: 'make it blue' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
      ],
      generationConfig: { responseModalities: ['IMAGE'] },
    };
    const reply = await viaGeminiApi('gemini-2.5-flash-image', body);
    expect(parts(reply).map((part) => Object.keys(part))).toEqual([['inlineData']]);
    expect(reply.body.usageMetadata?.promptTokensDetails).toEqual([
      { modality: 'TEXT', tokenCount: 3 },
      { modality: 'IMAGE', tokenCount: 258 },
    ]);
  });

  it('honours Vertex imageOutputOptions and adds Vertex envelope fields when called on Vertex', async () => {
    const reply = await viaVertex(
      'gemini-3.1-flash-image',
      request('a kite', { imageConfig: { aspectRatio: '8:1', imageOutputOptions: { mimeType: 'image/png' } } }),
    );
    expect(reply.status).toBe(200);
    const final = parts(reply).at(-1);
    expect(await decode(final?.inlineData?.data)).toMatchObject({ format: 'png', width: 2896, height: 368 });
    expect(reply.body).toMatchObject({ createTime: expect.any(String), usageMetadata: { trafficType: 'ON_DEMAND' } });
    expect(emulator.stats().vertexGenerateContent.calls).toBe(1);
    expect(emulator.stats().geminiGenerateContent.calls).toBe(0);
  });

  it('answers 200 when fields are snake_case and the key comes as ?key=', async () => {
    const body = {
      contents: [{ parts: [{ text: 'snake' }] }],
      generation_config: { response_modalities: ['image'], image_config: { aspect_ratio: '3:2' } },
    };
    const reply = await postJson(`${geminiUrl(emulator, 'gemini-2.5-flash-image')}?key=${emulator.apiKey}`, body);
    expect(await decode(parts(reply)[0]?.inlineData?.data)).toMatchObject({ width: 1248, height: 832 });
  });

  it('elides inline images from lastRequests when a request carries one', async () => {
    const data = 'A'.repeat(1000);
    await viaGeminiApi('gemini-2.5-flash-image', {
      contents: [{ parts: [{ text: 'x' }, { inlineData: { mimeType: 'image/png', data } }] }],
    });
    expect(JSON.stringify(emulator.stats().geminiGenerateContent.lastRequests)).toContain('<1000 chars elided>');
  });
});

describe('Gemini generateContent faults', () => {
  it('answers 200 with no candidates and promptFeedback SAFETY when moderation is scripted', async () => {
    emulator.faults.enqueue({ type: 'moderation' });
    const reply = await viaGeminiApi('gemini-2.5-flash-image', request('x'));
    expect(reply.status).toBe(200);
    expect(reply.body.candidates).toBeUndefined();
    expect(reply.body.promptFeedback).toEqual({ blockReason: 'SAFETY' });
  });

  it('uses the block reason named by the categories and adds blockReasonMessage when moderated on Vertex', async () => {
    emulator.faults.enqueue({ type: 'moderation', categories: ['prohibited_content'] });
    const reply = await viaVertex('gemini-3-pro-image', request('x'));
    expect(reply.body.promptFeedback).toMatchObject({
      blockReason: 'PROHIBITED_CONTENT',
      blockReasonMessage: expect.any(String),
    });
  });

  it('answers a candidate with finishReason IMAGE_SAFETY and no image when output is filtered', async () => {
    const reply = await viaGeminiApi('gemini-3-pro-image', request('[emulate:filtered] x'));
    expect(reply.status).toBe(200);
    expect(list(reply.body.candidates)).toEqual([{ finishReason: 'IMAGE_SAFETY', finishMessage: expect.any(String) }]);
  });

  it('answers STOP with only text when partial=0 and NO_IMAGE when text was not requested', async () => {
    const textOnly = await viaGeminiApi('gemini-2.5-flash-image', request('[emulate:partial=0] x'));
    expect(parts(textOnly)).toEqual([{ text: expect.any(String) }]);
    const imageOnly = await viaGeminiApi(
      'gemini-2.5-flash-image',
      request('[emulate:partial=0] x', { responseModalities: ['IMAGE'] }),
    );
    expect(list(imageOnly.body.candidates)).toEqual([{ finishReason: 'NO_IMAGE' }]);
  });

  it('answers 429 with QuotaFailure and RetryInfo on the Gemini API when rate limited', async () => {
    emulator.faults.enqueue({ type: 'rate_limit', retryAfterS: 17 });
    const reply = await viaGeminiApi('gemini-2.5-flash-image', request('x'));
    expect(reply.status).toBe(429);
    expect(reply.body.error?.status).toBe('RESOURCE_EXHAUSTED');
    expect(list(reply.body.error?.details).map((d) => d['@type'])).toEqual([
      'type.googleapis.com/google.rpc.QuotaFailure',
      'type.googleapis.com/google.rpc.RetryInfo',
    ]);
    expect(list(reply.body.error?.details)[1]?.retryDelay).toBe('17s');
  });

  it('answers a daily-quota 429 without RetryInfo when the quota is exhausted', async () => {
    const reply = await viaGeminiApi('gemini-2.5-flash-image', request('[emulate:insufficient_quota] x'));
    expect(reply.status).toBe(429);
    expect(list(reply.body.error?.details).map((d) => d['@type'])).toEqual([
      'type.googleapis.com/google.rpc.QuotaFailure',
    ]);
  });

  it('answers 503 UNAVAILABLE from the random rate when error500 is 0 and the script says 503', async () => {
    emulator.faults.configure({ script: [{ type: 'error', status: 503 }] });
    const reply = await viaVertex('gemini-2.5-flash-image', request('x'));
    expect(reply.body).toEqual({ error: { code: 503, message: expect.any(String), status: 'UNAVAILABLE' } });
  });
});

describe('Gemini API key checks', () => {
  it('answers 403 PERMISSION_DENIED when no key is sent', async () => {
    const reply = await postJson(geminiUrl(emulator, 'gemini-2.5-flash-image'), request('x'));
    expect(reply.status).toBe(403);
    expect(reply.body.error?.message).toMatch(/unregistered callers/);
  });

  it('answers 400 API_KEY_INVALID when the key is wrong', async () => {
    const reply = await postJson(geminiUrl(emulator, 'gemini-2.5-flash-image'), request('x'), {
      'x-goog-api-key': 'AIza-wrong',
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'API key not valid. Please pass a valid API key.',
    });
    expect(list(reply.body.error?.details)[0]).toMatchObject({ reason: 'API_KEY_INVALID' });
  });

  it('answers 404 naming the API version when the model is not an image model', async () => {
    const reply = await viaGeminiApi('imagen-4.0-generate-001', request('x'));
    expect(reply.status).toBe(404);
    expect(reply.body.error?.message).toBe(
      'models/imagen-4.0-generate-001 is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
    );
  });
});
