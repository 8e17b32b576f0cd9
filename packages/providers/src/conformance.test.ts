import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, GatewayError, isErrorCode } from '@imagegate/core';
import type { FaultController, ScriptedFault } from '@imagegate/emulators';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceCase, RunningProviderEmulator } from './provider-emulator.ts';
import { createConfiguredProviders, PROVIDERS } from './registry.ts';
import type { ImageProvider } from './spec.ts';
import { startProviderEmulator } from './start-emulator.ts';

/**
 * The contract every adapter keeps, run against each upstream's emulator: the result's shape,
 * warnings instead of silent drops, one error mapping for every upstream's statuses (with
 * `retryable` right), prompt aborts, and credentials never in an error or a log line. Every
 * provider in `PROVIDERS` runs it, once per case its emulator hook lists (one per surface).
 */

interface Target extends ConformanceCase {
  provider: ImageProvider;
  faults: FaultController;
}

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

/**
 * Every provider's emulator, started as the file loads (the cases it serves name the describe
 * blocks), each adapter built from its case's environment through the definition, as a worker builds it.
 */
const secretsDir = mkdtempSync(join(tmpdir(), 'imagegate-conformance-'));
const emulators: RunningProviderEmulator[] = [];
const targets: Target[] = [];
for (const definition of PROVIDERS) {
  const emulator = await startProviderEmulator<RunningProviderEmulator, unknown>(definition, 'test', secretsDir);
  emulators.push(emulator.running);
  for (const conformanceCase of emulator.conformance()) {
    const provider = createConfiguredProviders(conformanceCase.env, {}, [definition]).get(definition.name);
    if (provider === undefined) throw new Error(`${conformanceCase.label}: its environment configures no adapter`);
    targets.push({ ...conformanceCase, provider, faults: emulator.running.faults });
  }
}
afterAll(async () => {
  await Promise.all(emulators.map((running) => running.close()));
  rmSync(secretsDir, { recursive: true, force: true });
});

describe.each(targets.map((target) => [target.label, target] as const))('adapter conformance: %s', (_label, target) => {
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

  /** Scripts `fault` for one call: twice for a 401 where the adapter refreshes its token and tries again. */
  const script = (fault: ScriptedFault) => {
    target.faults.enqueue(fault);
    if (target.retriesAuthOnce && fault.type === 'error' && fault.status === 401) target.faults.enqueue(fault);
  };

  it.each(ERROR_TABLE)('maps an upstream %s', async (_label, fault, expected) => {
    // Upstreams quote what they were sent (OpenAI's 401 names the key): make every error body do so.
    const quoting = target.echoable ? `It came with key ${target.echoable}.` : undefined;
    script(fault.type === 'error' && quoting ? { ...fault, message: quoting } : fault);
    const error = await failureOf(target.provider.generate(target.request, {}));
    expect({ status: error.status, code: error.code, retryable: error.retryable }).toEqual(expected);
    if (fault.type === 'rate_limit' && target.rateLimitSaysWhen !== false) expect(error.retryAfterMs).toBe(2000);
    const said = everythingSaidAbout(error);
    for (const secret of target.secrets) expect(said).not.toContain(secret);
  });

  it.each(ERROR_TABLE)(
    "answers an upstream %s with a listed code, keeping the upstream's own apart",
    async (_label, fault) => {
      script(fault);
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
