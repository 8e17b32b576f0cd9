import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBflEmulator } from './emulator.ts';
import { startBflEmulator } from './emulator.ts';
import { submit } from './test-helpers.ts';

let emulator: RunningBflEmulator;

beforeAll(async () => {
  emulator = await startBflEmulator({ renderMs: 0 });
});
afterAll(() => emulator.close());

type Issue = { type: string; loc: (string | number)[]; msg: string; input?: unknown; ctx?: unknown };

describe('BFL submit validation', () => {
  it.each<[string, string, Record<string, unknown>, Issue]>([
    [
      'FLUX.2 has no prompt',
      'flux-2-pro',
      { width: 1024 },
      { type: 'missing', loc: ['body', 'prompt'], msg: 'Field required' },
    ],
    [
      'Kontext has no prompt',
      'flux-kontext-pro',
      {},
      { type: 'missing', loc: ['body', 'prompt'], msg: 'Field required' },
    ],
    [
      'the prompt is a number',
      'flux-2-pro',
      { prompt: 5 },
      { type: 'string_type', loc: ['body', 'prompt'], msg: 'Input should be a valid string' },
    ],
    [
      'FLUX.2 width is not a multiple of 16',
      'flux-2-pro',
      { prompt: 'x', width: 1000 },
      {
        type: 'multiple_of',
        loc: ['body', 'width'],
        msg: 'Input should be a multiple of 16',
        ctx: { multiple_of: 16 },
      },
    ],
    [
      'FLUX.2 height is below 64',
      'flux-2-max',
      { prompt: 'x', height: 32 },
      { type: 'greater_than_equal', loc: ['body', 'height'], msg: 'Input should be greater than or equal to 64' },
    ],
    [
      'FLUX.2 width is explicitly 0',
      'flux-2-flex',
      { prompt: 'x', width: 0 },
      { type: 'greater_than_equal', loc: ['body', 'width'], msg: 'Input should be greater than or equal to 64' },
    ],
    [
      'FLUX.2 asks for more than 4 MP',
      'flux-2-pro',
      { prompt: 'x', width: 2560, height: 2048 },
      {
        type: 'value_error',
        loc: ['body'],
        msg: expect.stringMatching(/^Value error, width \* height must be at most 4194304/),
      },
    ],
    [
      'FLUX.2 safety_tolerance is 6',
      'flux-2-pro',
      { prompt: 'x', safety_tolerance: 6 },
      { type: 'less_than_equal', loc: ['body', 'safety_tolerance'], msg: 'Input should be less than or equal to 5' },
    ],
    [
      'flex guidance is above 10',
      'flux-2-flex',
      { prompt: 'x', guidance: 12 },
      { type: 'less_than_equal', loc: ['body', 'guidance'], msg: 'Input should be less than or equal to 10' },
    ],
    [
      'flex steps is fractional',
      'flux-2-flex',
      { prompt: 'x', steps: 2.5 },
      {
        type: 'int_from_float',
        loc: ['body', 'steps'],
        msg: 'Input should be a valid integer, got a number with a fractional part',
      },
    ],
    [
      'FLUX1.1 width is below 256',
      'flux-pro-1.1',
      { width: 128 },
      { type: 'greater_than_equal', loc: ['body', 'width'], msg: 'Input should be greater than or equal to 256' },
    ],
    [
      'FLUX1.1 height is above 1440',
      'flux-pro-1.1',
      { height: 1472 },
      { type: 'less_than_equal', loc: ['body', 'height'], msg: 'Input should be less than or equal to 1440' },
    ],
    [
      'FLUX1.1 width is not a multiple of 32',
      'flux-pro-1.1',
      { width: 1000 },
      { type: 'multiple_of', loc: ['body', 'width'], msg: 'Input should be a multiple of 32' },
    ],
    [
      'FLUX1.1 safety_tolerance is 7',
      'flux-pro-1.1',
      { safety_tolerance: 7 },
      { type: 'less_than_equal', loc: ['body', 'safety_tolerance'], msg: 'Input should be less than or equal to 6' },
    ],
    [
      'Kontext aspect_ratio is wider than 21:9',
      'flux-kontext-max',
      { prompt: 'x', aspect_ratio: '3:1' },
      {
        type: 'value_error',
        loc: ['body', 'aspect_ratio'],
        msg: 'Value error, Aspect ratio must be between 21:9 and 9:21.',
      },
    ],
    [
      'Ultra aspect_ratio is malformed',
      'flux-pro-1.1-ultra',
      { aspect_ratio: 'wide' },
      { type: 'value_error', loc: ['body', 'aspect_ratio'], msg: expect.stringMatching(/Invalid aspect ratio format/) },
    ],
    [
      'Ultra image_prompt_strength is above 1',
      'flux-pro-1.1-ultra',
      { image_prompt_strength: 1.5 },
      {
        type: 'less_than_equal',
        loc: ['body', 'image_prompt_strength'],
        msg: 'Input should be less than or equal to 1',
      },
    ],
    [
      'output_format is gif',
      'flux-2-pro',
      { prompt: 'x', output_format: 'gif' },
      { type: 'enum', loc: ['body', 'output_format'], msg: "Input should be 'jpeg', 'png' or 'webp'" },
    ],
    [
      'prompt_upsampling is not a boolean',
      'flux-kontext-pro',
      { prompt: 'x', prompt_upsampling: 'maybe' },
      {
        type: 'bool_parsing',
        loc: ['body', 'prompt_upsampling'],
        msg: 'Input should be a valid boolean, unable to interpret input',
      },
    ],
    [
      'seed is a word',
      'flux-2-pro',
      { prompt: 'x', seed: 'lucky' },
      {
        type: 'int_parsing',
        loc: ['body', 'seed'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
      },
    ],
    [
      'webhook_url is not http',
      'flux-2-pro',
      { prompt: 'x', webhook_url: 'ftp://example.com/hook' },
      { type: 'url_scheme', loc: ['body', 'webhook_url'], msg: "URL scheme should be 'http' or 'https'" },
    ],
  ])('answers 422 with a pydantic detail when %s', async (_, model, body, issue) => {
    const reply = await submit(emulator, model, body);
    expect(reply.status).toBe(422);
    expect(reply.body.detail).toEqual([expect.objectContaining(issue)]);
  });

  it('lists every problem at once when several fields are invalid', async () => {
    const reply = await submit(emulator, 'flux-pro-1.1', { width: 100, height: 2000, output_format: 'bmp' });
    expect((reply.body.detail as Issue[]).map((issue) => issue.loc.join('.'))).toEqual([
      'body.output_format',
      'body.width',
      'body.height',
    ]);
  });

  it('answers 200 when inputs need pydantic lax parsing and unknown fields are present', async () => {
    const reply = await submit(emulator, 'flux-pro-1.1', {
      width: '512',
      height: 512,
      prompt_upsampling: 'true',
      colour: 'blue',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.output_mp).toBe(0.26);
  });

  it.each([
    ['the body is not JSON', '{"prompt": ', 'json_invalid'],
    ['the body is a list', '[]', 'model_attributes_type'],
  ])('answers 422 when %s', async (_, body, type) => {
    const reply = await submit(emulator, 'flux-2-pro', body);
    expect(reply.status).toBe(422);
    expect(reply.body.detail).toEqual([expect.objectContaining({ type })]);
  });

  it.each([
    ['the key is missing', null, 'Not authenticated'],
    ['the key is wrong', 'bfl-wrong', 'Invalid API key'],
  ])('answers 403 when %s', async (_, key, detail) => {
    const reply = await submit(emulator, 'flux-2-pro', { prompt: 'x' }, key);
    expect(reply).toMatchObject({ status: 403, body: { detail } });
  });

  it('answers 404 Not Found when the model is unknown, even without a key', async () => {
    const reply = await submit(emulator, 'flux-3-ultra', { prompt: 'x' }, null);
    expect(reply).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
  });

  it('answers 405 when a model path is fetched with GET', async () => {
    const response = await fetch(`${emulator.url}/v1/flux-2-pro`);
    expect(response.status).toBe(405);
  });
});
