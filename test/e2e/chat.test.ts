import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng } from '../support/edit-images.ts';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * `POST /v1/chat/completions` read by the official `openai` client's `chat.completions`, as
 * chat-first clients reach image models through OpenRouter: `message.images` and `delta.images`.
 */

let stack: TestStack;
let account: TestAccount;
let client: OpenAI;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('chat', 20);
  client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

interface ImagesMessage {
  content: string | null;
  images?: { type: 'image_url'; image_url: { url: string } }[];
}

/** The first choice's message, with OpenRouter's `images` (which the SDK's types do not know). */
function messageOf(completion: { choices: { message: unknown }[] }): ImagesMessage {
  const message = completion.choices[0]?.message;
  if (typeof message !== 'object' || message === null) throw new Error('the completion has no message');
  return message as ImagesMessage;
}

const bytesOf = (dataUrl: string | undefined) =>
  Buffer.from((dataUrl ?? '').replace(/^data:image\/\w+;base64,/, ''), 'base64');

describe('images through chat completions with the Vercel AI SDK', () => {
  it('generateText and streamText through @openrouter/ai-sdk-provider return the image in result.files', async () => {
    const openrouter = createOpenRouter({ apiKey: account.apiKey, baseURL: stack.baseURL });
    const generated = await generateText({ model: openrouter('gpt-image-2'), prompt: 'a red kite', maxRetries: 0 });
    expect(generated.files).toHaveLength(1);
    expect(generated.files[0]?.mediaType).toBe('image/png');
    expect((await sharp(Buffer.from(generated.files[0]?.uint8Array ?? [])).metadata()).format).toBe('png');
    expect(generated.text).toBe('Here is the image.');

    const streamed = streamText({ model: openrouter('flux-2-pro'), prompt: 'a green kite', maxRetries: 0 });
    const files = await streamed.files;
    expect(files).toHaveLength(1);
    expect(files[0]?.uint8Array.byteLength).toBeGreaterThan(0);
  }, 30_000);

  it('generateText through @ai-sdk/openai-compatible gets the assistant text', async () => {
    const compatible = createOpenAICompatible({ name: 'imagegate', apiKey: account.apiKey, baseURL: stack.baseURL });
    const generated = await generateText({ model: compatible('gpt-image-2'), prompt: 'a yellow kite', maxRetries: 0 });
    expect(generated.text).toBe('Here is the image.');
  });
});

describe('Gemini answers natively: the conversation as contents, text beside the image', () => {
  it('says something of its own and draws, with the whole conversation (earlier images too) sent upstream', async () => {
    const png = await gradientPng(96, 96);
    const completion = await client.chat.completions.create({
      model: 'gemini-3-pro-image',
      messages: [
        { role: 'system', content: 'Keep answers short.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'draw a cat like this' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          ],
        },
        { role: 'assistant', content: 'Here it is.' },
        { role: 'user', content: 'now make it dusk' },
      ],
    });
    const message = messageOf(completion);
    expect(message.content).toMatch(/^Here is the image you asked for/);
    expect(message.images).toHaveLength(1);
    const stats = stack.google.stats();
    const sent = JSON.stringify([
      ...stats.vertexGenerateContent.lastRequests,
      ...stats.geminiGenerateContent.lastRequests,
    ]);
    // The three turns in order, the first with its image (elided by the emulator), the system message apart.
    expect(sent).toMatch(/"contents":\[\{"role":"user","parts":\[\{"inlineData".*?\{"role":"model".*?\{"role":"user"/);
    expect(sent).toContain('"systemInstruction":{"parts":[{"text":"Keep answers short."}]}');
  });

  it('leaves its words out with modalities ["image"]', async () => {
    const completion = await client.chat.completions.create({
      model: 'gemini-3-pro-image',
      messages: [{ role: 'user', content: 'a quiet lake' }],
      // @ts-expect-error OpenRouter's field, unknown to the OpenAI SDK's types
      modalities: ['image'],
    });
    expect(messageOf(completion).content).toBe('Here is the image.');
    expect(messageOf(completion).images).toHaveLength(1);
  });

  it('takes image_config (OpenRouter’s aspect_ratio and image_size) as the size', async () => {
    const completion = await client.chat.completions.create({
      model: 'gemini-3-pro-image',
      messages: [{ role: 'user', content: 'a wide valley' }],
      // @ts-expect-error OpenRouter's field, unknown to the OpenAI SDK's types
      image_config: { aspect_ratio: '16:9', image_size: '2K' },
    });
    const meta = await sharp(bytesOf(messageOf(completion).images?.[0]?.image_url.url)).metadata();
    expect((meta.width ?? 0) / (meta.height ?? 1)).toBeCloseTo(16 / 9, 1);
    expect(meta.width).toBeGreaterThan(2000);
  });

  it('streams the text as delta.content before the image, which comes after a 3 s render', async () => {
    const started = Date.now();
    const stream = await client.chat.completions.create({
      model: 'gemini-3-pro-image',
      messages: [{ role: 'user', content: 'a harbour at night [emulate:latency=3000]' }],
      stream: true,
    });
    const arrivals: { kind: string; at: number }[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (ImagesMessage & { role?: string }) | undefined;
      if (delta?.content) arrivals.push({ kind: 'text', at: Date.now() - started });
      if (delta?.images) arrivals.push({ kind: 'image', at: Date.now() - started });
    }
    const firstText = arrivals.find((arrival) => arrival.kind === 'text');
    const image = arrivals.find((arrival) => arrival.kind === 'image');
    expect(firstText).toBeDefined();
    expect(image).toBeDefined();
    expect(firstText?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(image?.at ?? 0);
    expect(image?.at).toBeGreaterThanOrEqual(2_900);
    expect(firstText?.at).toBeLessThan(2_000);
  }, 30_000);

  it('sends keep-alive comments during a 40 s render', async () => {
    const response = await fetch(`${stack.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'flux-2-pro',
        messages: [{ role: 'user', content: 'a slow one [emulate:latency=40000]' }],
        stream: true,
      }),
    });
    const text = await response.text();
    expect(text.match(/^: keep-alive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  }, 70_000);
});

describe('images through chat completions', () => {
  it('answers chat.completions.create with the image in message.images, and records a chat job', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-image-2',
      messages: [
        { role: 'system', content: 'You draw.' },
        { role: 'user', content: 'a lighthouse at dusk' },
      ],
      temperature: 0.7,
    });
    expect(completion.object).toBe('chat.completion');
    const message = completion.choices[0]?.message as unknown as ImagesMessage;
    expect(message.content).toBe('Here is the image.');
    expect(message.images).toHaveLength(1);
    const meta = await sharp(bytesOf(message.images?.[0]?.image_url.url)).metadata();
    expect(meta.format).toBe('png');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    const extra = (completion as unknown as { extra: { job_id: string; warnings: string[] } }).extra;
    expect(extra.warnings.join(' ')).toContain('Ignored (an image model has no use for them): temperature');
    const job = await callJson<{ operation: string; status: string; request: { prompt: string; messages: unknown[] } }>(
      `${stack.baseURL}/images/jobs/${extra.job_id}`,
      { apiKey: account.apiKey },
    );
    expect(job.body).toMatchObject({
      operation: 'chat',
      status: 'succeeded',
      request: { prompt: 'a lighthouse at dusk' },
    });
    expect(job.body.request.messages).toHaveLength(2);
  });

  it('streams chunks: the role, the image as delta.images, the text, finish_reason, usage, [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'flux-2-pro',
      messages: [{ role: 'user', content: 'a red boat' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const seen: string[] = [];
    let image: string | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (ImagesMessage & { role?: string }) | undefined;
      if (delta?.role) seen.push('role');
      if (delta?.images) {
        seen.push('images');
        image = delta.images[0]?.image_url.url;
      }
      if (delta?.content) seen.push('content');
      if (chunk.choices[0]?.finish_reason) seen.push('finish');
      if (chunk.usage) seen.push('usage');
    }
    expect(seen).toEqual(['role', 'images', 'content', 'finish', 'usage']);
    expect((await sharp(bytesOf(image)).metadata()).width).toBeGreaterThan(0);
  }, 30_000);

  it('edits the image of the previous turn when the user sends it back', async () => {
    const first = await client.chat.completions.create({
      model: 'gpt-image-2',
      messages: [{ role: 'user', content: 'a blue square' }],
    });
    const previous = messageOf(first).images?.[0]?.image_url.url ?? '';
    const second = await client.chat.completions.create({
      model: 'gpt-image-2',
      messages: [
        { role: 'user', content: 'a blue square' },
        { role: 'assistant', content: 'Here is the image.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'make it dusk' },
            { type: 'image_url', image_url: { url: previous } },
          ],
        },
      ],
    });
    const jobId = (second as unknown as { extra: { job_id: string } }).extra.job_id;
    const job = await callJson<{ request: { images: { sha256: string }[] } }>(`${stack.baseURL}/images/jobs/${jobId}`, {
      apiKey: account.apiKey,
    });
    expect(job.body.request.images).toHaveLength(1);
    expect(messageOf(second).images).toHaveLength(1);
  });

  it('takes back an image URL it gave out in an earlier answer, and refuses another tenant’s', async () => {
    const first = await client.chat.completions.create({
      model: 'gpt-image-2',
      messages: [{ role: 'user', content: 'a teal cube' }],
      // @ts-expect-error our extension
      image_config: { response_format: 'url' },
    });
    const ours = messageOf(first).images?.[0]?.image_url.url ?? '';
    expect(ours).toMatch(/^http/);
    const turn = (url: string) => [
      { role: 'user' as const, content: 'a teal cube' },
      {
        role: 'user' as const,
        content: [
          { type: 'text' as const, text: 'make it glow' },
          { type: 'image_url' as const, image_url: { url } },
        ],
      },
    ];
    const second = await client.chat.completions.create({ model: 'gpt-image-2', messages: turn(ours) });
    const jobId = (second as unknown as { extra: { job_id: string } }).extra.job_id;
    const job = await callJson<{ request: { images: unknown[] } }>(`${stack.baseURL}/images/jobs/${jobId}`, {
      apiKey: account.apiKey,
    });
    expect(job.body.request.images).toHaveLength(1);

    const stranger = await stack.createAccount('chat stranger', 5);
    const refused = await callJson<ErrorEnvelope>(`${stack.baseURL}/chat/completions`, {
      apiKey: stranger.apiKey,
      body: { model: 'gpt-image-2', messages: turn(ours) },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe('messages[1].content[1].image_url.url');
  });

  it('answers Prefer: respond-async with 202 and a chat job whose result is the chat completion', async () => {
    const accepted = await callJson<{ id: string; operation: string }>(`${stack.baseURL}/chat/completions`, {
      apiKey: account.apiKey,
      headers: { prefer: 'respond-async' },
      body: { model: 'gpt-image-2', messages: [{ role: 'user', content: 'later' }] },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.operation).toBe('chat');
    const job = (await pollJob(stack.url, account.apiKey, accepted.body.id)) as {
      result: { object: string; choices: { message: ImagesMessage }[] };
    };
    expect(job.result.object).toBe('chat.completion');
    const url = job.result.choices[0]?.message.images?.[0]?.image_url.url ?? '';
    expect((await fetch(url)).status).toBe(200);
  });

  it('ends a stream with an error chunk the SDK throws when the job fails after the stream began', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-image-2',
      messages: [{ role: 'user', content: 'refused [emulate:moderation]' }],
      stream: true,
    });
    const read = async () => {
      for await (const _chunk of stream) {
        // the role chunk comes first, then the error
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'moderation_blocked' });
  });

  it.each([
    ['tools', { tools: [{ type: 'function', function: { name: 'f' } }] }, 'tools', 'unsupported_parameter'],
    [
      'a JSON response format',
      { response_format: { type: 'json_schema', json_schema: {} } },
      'response_format',
      'unsupported_parameter',
    ],
    ['a text-only model', { model: 'gpt-4o' }, 'model', 'model_not_supported'],
    [
      'an image part that is not an image',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              {
                type: 'image_url',
                image_url: { url: `data:image/png;base64,${Buffer.from('not an image').toString('base64')}` },
              },
            ],
          },
        ],
      },
      'messages[0].content[1].image_url.url',
      null,
    ],
    [
      'a private URL',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: { url: 'https://169.254.169.254/latest' } },
            ],
          },
        ],
      },
      'messages[0].content[1].image_url.url',
      null,
    ],
  ])('refuses %s with a 4xx naming it, holding nothing', async (_case, fields, param, code) => {
    const inputsBefore = (await stack.store.listKeys('jobs/')).filter((key) => key.includes('/inputs/'));
    const fresh = await stack.createAccount(`chat refusal ${param}`, 5);
    const refused = await callJson<ErrorEnvelope>(`${stack.baseURL}/chat/completions`, {
      apiKey: fresh.apiKey,
      body: { model: 'gpt-image-2', messages: [{ role: 'user', content: 'x' }], ...fields },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe(param);
    if (code !== null) expect(refused.body.error.code).toBe(code);
    const money = await callJson<{ held_usd: number; balance_usd: number }>(`${stack.baseURL}/account`, {
      apiKey: fresh.apiKey,
    });
    expect(money.body).toMatchObject({ held_usd: 0, balance_usd: 5 });
    expect(await stack.store.listKeys('jobs/').then((keys) => keys.filter((key) => key.includes('/inputs/')))).toEqual(
      inputsBefore,
    );
  });

  it('takes an image part that is a real image as an edit input', async () => {
    const png = await gradientPng(128, 128);
    const completion = await client.chat.completions.create({
      model: 'gemini-3-pro-image',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'restyle this' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          ],
        },
      ],
    });
    expect(messageOf(completion).images).toHaveLength(1);
  });
});
