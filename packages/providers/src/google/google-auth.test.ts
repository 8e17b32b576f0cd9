import { generateKeyPairSync } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleImageProvider } from './google-image-provider.ts';
import { imageRequest, type RunningGoogleEmulator, startGoogleEmulator, vertexConfig } from './google-test-helpers.ts';

/**
 * google-auth-library refreshes a token 5 minutes before it expires, so a 301-second token is
 * cached for one second: long enough to see reuse, short enough to see the refresh.
 */
const TOKEN_LIFETIME_S = 301;
const CACHED_MS = 1000;

let emulator: RunningGoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ tokenLifetimeS: TOKEN_LIFETIME_S });
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

const tokenCalls = () => emulator.stats().token.calls;

describe('createGoogleImageProvider Vertex access tokens', () => {
  it('fetches one token for concurrent and later calls while it is fresh', async () => {
    const provider = createGoogleImageProvider({ vertex: vertexConfig(emulator) });
    await Promise.all([1, 2, 3, 4].map(() => provider.generate(imageRequest(), {})));
    await provider.generate(imageRequest(), {});
    expect(tokenCalls()).toBe(1);
    expect(emulator.stats().predict.byStatus).toEqual({ 200: 5 });
  });

  it('fetches a new token once the cached one nears expiry', async () => {
    const provider = createGoogleImageProvider({ vertex: vertexConfig(emulator) });
    await provider.generate(imageRequest(), {});
    await sleep(CACHED_MS + 100);
    await provider.generate(imageRequest(), {});
    expect(tokenCalls()).toBe(2);
  });

  it('answers a 401 to a cached token with a fresh token and one more try, which succeeds', async () => {
    const provider = createGoogleImageProvider({ vertex: vertexConfig(emulator) });
    await provider.generate(imageRequest(), {});
    emulator.faults.enqueue({ type: 'error', status: 401 });
    const result = await provider.generate(imageRequest(), {});
    expect(result.images).toHaveLength(1);
    expect(tokenCalls()).toBe(2);
    expect(emulator.stats().predict.byStatus).toEqual({ 200: 2, 401: 1 });
    // The fresh token is the cached one now.
    await provider.generate(imageRequest(), {});
    expect(tokenCalls()).toBe(2);
  });

  it('refreshes only once: a second 401 is a non-retryable upstream_auth, and the next call starts afresh', async () => {
    const provider = createGoogleImageProvider({ vertex: vertexConfig(emulator) });
    emulator.faults.enqueue({ type: 'error', status: 401 });
    emulator.faults.enqueue({ type: 'error', status: 401 });
    await expect(provider.generate(imageRequest(), {})).rejects.toMatchObject({
      code: 'upstream_auth',
      retryable: false,
    });
    expect(tokenCalls()).toBe(2);
    expect(emulator.stats().predict.byStatus).toEqual({ 401: 2 });
    await provider.generate(imageRequest(), {});
    expect(tokenCalls()).toBe(3);
  });

  it('maps a key the token endpoint refuses to a non-retryable upstream_auth without the key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = vertexConfig(emulator);
    const provider = createGoogleImageProvider({
      vertex: { ...config, credentials: { ...config.credentials, private_key: pem } },
    });
    const error = await provider.generate(imageRequest(), {}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: 'upstream_auth', retryable: false });
    const texts = [JSON.stringify(error), String(error), String((error as Error).cause)];
    expect(texts.join('\n')).not.toMatch(/PRIVATE KEY|eyJ/);
    expect(emulator.stats().predict.calls).toBe(0);
  });

  it('stops waiting for a token when the caller aborts', async () => {
    // A token endpoint that accepts connections and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const config = vertexConfig(emulator);
    const credentials = { ...config.credentials, token_uri: `http://127.0.0.1:${port}/token` };
    const provider = createGoogleImageProvider({ vertex: { ...config, credentials } });
    try {
      const error = await provider.generate(imageRequest(), { signal: AbortSignal.timeout(200) }).catch((e) => e);
      expect(error).toMatchObject({ status: 499, code: 'aborted' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
