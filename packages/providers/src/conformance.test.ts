import { Writable } from 'node:stream';
import { createLogger, GatewayError, isErrorCode } from '@imagegate/core';
import {
  type FaultController,
  type ScriptedFault,
  startBflEmulator,
  startGoogleEmulator,
  startOpenAIEmulator,
} from '@imagegate/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBflImageProvider } from './bfl/bfl-image-provider.ts';
import { createGoogleImageProvider } from './google/google-image-provider.ts';
import { createOpenAIImageProvider } from './openai/openai-image-provider.ts';
import type { ImageProvider, ProviderImageRequest } from './spec.ts';

/**
 * The contract every adapter keeps, run against each upstream's emulator: the result's shape,
 * warnings instead of silent drops, one error mapping for every upstream's statuses (with
 * `retryable` right), prompt aborts, and credentials never in an error or a log line.
 */

interface Target {
  provider: ImageProvider;
  faults: FaultController;
  request: ProviderImageRequest;
  /** Strings that must never appear in an error or a log line. */
  secrets: string[];
  /** A credential the upstream may quote back in an error (API keys; OAuth tokens are minted per call). */
  echoable?: string;
  /** A request this upstream cannot honour exactly, and the warning it must produce. */
  approximated?: { request: ProviderImageRequest; warning: RegExp };
  /** Whether this upstream's 429 says when to come back (Vertex's quota errors do not). */
  rateLimitSaysWhen?: false;
  close(): Promise<void>;
}

const base = { n: 1, quality: 'auto', background: 'opaque', prompt: 'a lighthouse' } as const;

const targets: Record<string, () => Promise<Target>> = {
  async openai() {
    const emulator = await startOpenAIEmulator({ apiKey: 'sk-conformance-SECRET-openai' });
    return {
      provider: createOpenAIImageProvider({ apiKey: emulator.apiKey, baseURL: emulator.url }),
      faults: emulator.faults,
      request: {
        ...base,
        protocol: 'openai-images',
        providerModel: 'gpt-image-1.5',
        size: '1024x1024',
        outputFormat: 'png',
      },
      secrets: [emulator.apiKey],
      echoable: emulator.apiKey,
      close: emulator.close,
    };
  },
  async 'google imagen (vertex)'() {
    const emulator = await startGoogleEmulator();
    const request: ProviderImageRequest = {
      ...base,
      protocol: 'vertex-imagen',
      providerModel: 'imagen-4.0-generate-001',
      size: '1408x768',
      aspectRatio: '16:9',
      imageSize: '1K',
      outputFormat: 'png',
    };
    return {
      provider: createGoogleImageProvider({
        vertex: {
          credentials: emulator.serviceAccount,
          project: emulator.projectId,
          location: 'us-central1',
          baseURL: emulator.url,
        },
      }),
      faults: emulator.faults,
      request,
      secrets: [emulator.serviceAccount.private_key.split('\n')[1] ?? 'unused', 'ya29.'],
      approximated: { request: { ...request, n: 2, prompt: 'a crowd [emulate:filtered=1]' }, warning: /withheld/ },
      rateLimitSaysWhen: false,
      close: emulator.close,
    };
  },
  async 'google gemini (gemini api)'() {
    const emulator = await startGoogleEmulator({ apiKey: 'AIzaSy-conformance-SECRET' });
    const request: ProviderImageRequest = {
      ...base,
      protocol: 'gemini',
      providerModel: 'gemini-2.5-flash-image',
      size: '1344x768',
      aspectRatio: '16:9',
      imageSize: '1K',
      outputFormat: 'png',
    };
    return {
      provider: createGoogleImageProvider({ geminiApi: { apiKey: emulator.apiKey, baseURL: emulator.url } }),
      faults: emulator.faults,
      request,
      secrets: [emulator.apiKey],
      echoable: emulator.apiKey,
      // The Gemini API cannot choose the encoding: asking for JPEG from a PNG model must be said.
      approximated: { request: { ...request, outputFormat: 'jpeg' }, warning: /png/i },
      close: emulator.close,
    };
  },
  async 'bfl flux'() {
    const emulator = await startBflEmulator({ apiKey: 'bfl_conformance_SECRET', renderMs: 50 });
    return {
      provider: createBflImageProvider({ apiKey: emulator.apiKey, baseURL: emulator.url, pollIntervalMs: 20 }),
      faults: emulator.faults,
      request: { ...base, protocol: 'bfl-flux', providerModel: 'flux-2-pro', size: '1024x768', outputFormat: 'jpeg' },
      secrets: [emulator.apiKey],
      echoable: emulator.apiKey,
      close: emulator.close,
    };
  },
};

/** Expected mapping of each scripted upstream failure: status, code and whether a retry may help. */
const ERROR_TABLE: [string, ScriptedFault, { status: number; code: string; retryable: boolean }][] = [
  ['400', { type: 'error', status: 400 }, { status: 400, code: 'invalid_value', retryable: false }],
  ['401', { type: 'error', status: 401 }, { status: 502, code: 'upstream_auth', retryable: false }],
  ['403', { type: 'error', status: 403 }, { status: 502, code: 'upstream_auth', retryable: false }],
  ['404', { type: 'error', status: 404 }, { status: 502, code: 'upstream_model_not_found', retryable: false }],
  ['429', { type: 'rate_limit', retryAfterS: 2 }, { status: 502, code: 'upstream_rate_limited', retryable: true }],
  ['500', { type: 'error', status: 500 }, { status: 502, code: 'upstream_error', retryable: true }],
  ['503', { type: 'error', status: 503 }, { status: 502, code: 'upstream_error', retryable: true }],
  ['moderation', { type: 'moderation' }, { status: 400, code: 'moderation_blocked', retryable: false }],
];

async function failureOf(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected the call to fail');
}

/** Everything a worker could write about an error: message, JSON, and a pino line with the cause chain. */
function everythingSaidAbout(error: GatewayError): string {
  let logged = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  createLogger({ destination }).error({ err: error }, 'generation failed');
  return [error.message, JSON.stringify(error.toErrorObject()), logged].join('\n');
}

describe.each(Object.keys(targets))('adapter conformance: %s', (name) => {
  let target: Target;
  beforeAll(async () => {
    target = await (targets[name] as () => Promise<Target>)();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('returns the images asked for, with what was applied', async () => {
    const result = await target.provider.generate(target.request, {});
    expect(result.images).toHaveLength(target.request.n);
    for (const image of result.images) {
      expect(image.bytes.byteLength).toBeGreaterThan(100);
      expect(image.mediaType).toMatch(/^image\/(png|jpeg|webp)$/);
    }
    expect(result.size).toMatch(/^\d+x\d+$/);
    expect(result.outputFormat).toBe(target.request.outputFormat);
    expect(result.quality).not.toBe('auto');
    expect(result.background).not.toBe('auto');
    expect(Array.isArray(result.warnings)).toBe(true);
  });

  it('says what it could not honour exactly, rather than dropping it', async (context) => {
    // OpenAI and BFL honour every normalised parameter exactly; there is nothing to say.
    if (target.approximated === undefined) return context.skip();
    const result = await target.provider.generate(target.approximated.request, {});
    expect(result.warnings.join(' ')).toMatch(target.approximated.warning);
  });

  it.each(ERROR_TABLE)('maps an upstream %s', async (_label, fault, expected) => {
    // Upstreams quote what they were sent (OpenAI's 401 names the key): make every error body do so.
    const quoting = target.echoable ? `It came with key ${target.echoable}.` : undefined;
    target.faults.enqueue(fault.type === 'error' && quoting ? { ...fault, message: quoting } : fault);
    const error = await failureOf(target.provider.generate(target.request, {}));
    expect({ status: error.status, code: error.code, retryable: error.retryable }).toEqual(expected);
    if (fault.type === 'rate_limit' && target.rateLimitSaysWhen !== false) expect(error.retryAfterMs).toBe(2000);
    const said = everythingSaidAbout(error);
    for (const secret of target.secrets) expect(said).not.toContain(secret);
  });

  it.each(ERROR_TABLE)(
    "answers an upstream %s with a listed code, keeping the upstream's own apart",
    async (_label, fault) => {
      target.faults.enqueue(fault);
      const error = await failureOf(target.provider.generate(target.request, {}));
      expect(isErrorCode(error.code)).toBe(true);
      expect(error.upstreamCode).toEqual(expect.any(String));
    },
  );

  it('stops promptly when the caller aborts', async () => {
    target.faults.enqueue({ type: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failureOf(target.provider.generate(target.request, { signal: controller.signal }));
    expect(error.code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
