import { GatewayError } from '@imagegate/core';
import { type RunningEmulator, type ScriptedFault, startOpenAIEmulator } from '@imagegate/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageProvider } from '../spec.ts';
import { createOpenAIImageProvider } from './openai-image-provider.ts';

let emulator: RunningEmulator;
let provider: ImageProvider;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  provider = createOpenAIImageProvider({ apiKey: emulator.apiKey, baseURL: emulator.url });
});
afterEach(() => emulator.faults.reset());
afterAll(() => emulator.close());

const request = {
  protocol: 'openai-images',
  providerModel: 'gpt-image-1.5',
  prompt: 'a lighthouse',
  n: 1,
  size: '1024x1024',
  quality: 'auto',
  background: 'opaque',
  outputFormat: 'png',
} as const;

async function failure(fault: ScriptedFault): Promise<GatewayError> {
  emulator.faults.enqueue(fault);
  const error = await provider.generate(request, {}).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('mapOpenAIError', () => {
  it.each<[string, ScriptedFault, { status: number; code: string; upstreamCode: string }]>([
    [
      'a 400 code we do not share as invalid_value',
      { type: 'error', status: 400, code: 'integer_below_min_value' },
      { status: 400, code: 'invalid_value', upstreamCode: 'integer_below_min_value' },
    ],
    [
      'a 400 unknown_parameter as ours of that name',
      { type: 'error', status: 400, code: 'unknown_parameter' },
      { status: 400, code: 'unknown_parameter', upstreamCode: 'unknown_parameter' },
    ],
    [
      'a region refusal as upstream_auth',
      { type: 'error', status: 403, code: 'unsupported_country_region_territory' },
      { status: 502, code: 'upstream_auth', upstreamCode: 'unsupported_country_region_territory' },
    ],
    [
      'a content_policy_violation as moderation_blocked',
      { type: 'error', status: 400, code: 'content_policy_violation' },
      { status: 400, code: 'moderation_blocked', upstreamCode: 'content_policy_violation' },
    ],
    [
      'insufficient_quota as upstream_quota',
      { type: 'insufficient_quota' },
      { status: 502, code: 'upstream_quota', upstreamCode: 'insufficient_quota' },
    ],
    [
      'a 500 without a code by its type',
      { type: 'error', status: 500 },
      { status: 502, code: 'upstream_error', upstreamCode: 'server_error' },
    ],
  ])('maps %s, keeping the upstream code apart', async (_name, fault, expected) => {
    const error = await failure(fault);
    expect({ status: error.status, code: error.code, upstreamCode: error.upstreamCode }).toEqual(expected);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
