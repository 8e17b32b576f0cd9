import type { RunningBflEmulator, ScriptedFault } from '@imagegate/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderImageRequest } from '../spec.ts';
import { createBflImageProvider } from './bfl-image-provider.ts';
import {
  bflRequest,
  closedOrigin,
  everythingShownOf,
  rejectionOf,
  startTestEmulator,
  TEST_KEY,
} from './bfl-test-helpers.ts';

let emulator: RunningBflEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

interface ErrorCase {
  name: string;
  request?: Partial<ProviderImageRequest>;
  fault?: ScriptedFault;
  apiKey?: string;
  expected: {
    status: number;
    type: string;
    code: string;
    param?: string | null;
    retryable: boolean;
    retryAfterMs?: number;
    message?: string | RegExp;
  };
}

const upstream = (code: string, retryable: boolean) => ({ status: 502, type: 'upstream_error', code, retryable });
const invalid = (param: string | null) => ({
  status: 400,
  type: 'invalid_request_error',
  code: 'invalid_value',
  param,
  retryable: false,
});
const moderated = { status: 400, type: 'invalid_request_error', code: 'moderation_blocked', retryable: false };

const cases: ErrorCase[] = [
  {
    name: '422 on width is a 400 on size',
    request: { size: '1000x768' },
    expected: { ...invalid('size'), message: /multiple of 16/ },
  },
  {
    name: '422 on safety_tolerance is a 400 on our option',
    request: { providerOptions: { safetyTolerance: 9 } },
    expected: invalid('providerOptions.blackForestLabs.safetyTolerance'),
  },
  {
    name: '422 on aspect_ratio keeps its name',
    request: { providerModel: 'flux-kontext-pro', aspectRatio: '4:1' },
    expected: { ...invalid('aspect_ratio'), message: /between 21:9 and 9:21/ },
  },
  {
    name: '422 echoing the key is redacted',
    request: { prompt: `[emulate:${TEST_KEY}]` },
    expected: { ...invalid('prompt'), message: /\[redacted\]/ },
  },
  { name: '400', fault: { type: 'error', status: 400 }, expected: { ...invalid(null), message: 'Bad Request' } },
  { name: '401', fault: { type: 'error', status: 401 }, expected: upstream('upstream_auth', false) },
  { name: '402 out of credits', fault: { type: 'insufficient_quota' }, expected: upstream('upstream_quota', false) },
  { name: '403 for a wrong key', apiKey: 'bfl_wrong-key-0d4e1b', expected: upstream('upstream_auth', false) },
  {
    name: '404 for an unknown model',
    request: { providerModel: 'flux-9-imaginary' },
    expected: upstream('upstream_model_not_found', false),
  },
  {
    name: '429 with retry-after',
    fault: { type: 'rate_limit', retryAfterS: 2 },
    expected: { ...upstream('upstream_rate_limited', true), retryAfterMs: 2000 },
  },
  {
    name: '500 from a prompt directive',
    request: { prompt: '[emulate:500] x' },
    expected: upstream('upstream_error', true),
  },
  { name: '503', fault: { type: 'error', status: 503 }, expected: upstream('upstream_error', true) },
  {
    name: 'Request Moderated',
    fault: { type: 'moderation', categories: ['Derivative Works'] },
    expected: { ...moderated, message: /refused the request \(Derivative Works\)/ },
  },
  {
    name: 'Content Moderated',
    fault: { type: 'filtered' },
    expected: { ...moderated, message: /withheld the generated image/ },
  },
  {
    name: 'Error with its details',
    fault: { type: 'failed', message: 'GPU fell over' },
    expected: { ...upstream('upstream_error', true), message: 'GPU fell over' },
  },
];

describe('createBflImageProvider errors', () => {
  it.each(cases)('maps $name', async ({ request, fault, apiKey, expected }) => {
    if (fault) emulator.faults.enqueue(fault);
    const provider = createBflImageProvider({ apiKey: apiKey ?? TEST_KEY, baseURL: emulator.url, pollIntervalMs: 10 });

    const error = await rejectionOf(provider.generate(bflRequest(request), {}));

    const { message, param, retryAfterMs, ...fields } = expected;
    expect(error).toMatchObject(fields);
    if (param !== undefined) expect(error.param).toBe(param);
    expect(error.retryAfterMs).toBe(retryAfterMs);
    if (typeof message === 'string') expect(error.message).toBe(message);
    if (message instanceof RegExp) expect(error.message).toMatch(message);
    const shown = everythingShownOf(error);
    expect(shown).not.toContain(TEST_KEY);
    if (apiKey !== undefined) expect(shown).not.toContain(apiKey);
  });

  it('is a retryable upstream_unreachable when nothing listens', async () => {
    const provider = createBflImageProvider({ apiKey: TEST_KEY, baseURL: await closedOrigin() });

    const error = await rejectionOf(provider.generate(bflRequest(), {}));

    expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
    expect(everythingShownOf(error)).not.toContain(TEST_KEY);
  });

  it('is a retryable timeout when the task outlives timeoutMs', async () => {
    emulator.faults.enqueue({ type: 'hang' });
    const provider = createBflImageProvider({
      apiKey: TEST_KEY,
      baseURL: emulator.url,
      timeoutMs: 300,
      pollIntervalMs: 20,
    });

    const startedAt = Date.now();
    const error = await rejectionOf(provider.generate(bflRequest(), {}));

    expect(error).toMatchObject({ status: 504, type: 'timeout', code: 'timeout', retryable: true });
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect(everythingShownOf(error)).not.toContain(TEST_KEY);
  });
});
