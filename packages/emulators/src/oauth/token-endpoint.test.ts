import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGoogleEmulator } from '../google/emulator.ts';
import { startGoogleEmulator } from '../google/emulator.ts';
import { signAssertion } from './sign-assertion.ts';
import { GOOGLE_TOKEN_URL } from './token-endpoint.ts';

let emulator: RunningGoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ tokenLifetimeS: 120 });
});
afterAll(() => emulator.close());

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: emulator.serviceAccount.client_email,
    scope: SCOPE,
    aud: GOOGLE_TOKEN_URL,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

async function exchange(form: Record<string, string>, contentType = 'application/x-www-form-urlencoded') {
  const body = contentType.startsWith('application/json') ? JSON.stringify(form) : new URLSearchParams(form).toString();
  const response = await fetch(emulator.tokenUrl, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function grant(assertion: string): Record<string, string> {
  return { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion };
}

describe('POST /token', () => {
  it('issues a Bearer token with the configured lifetime when the assertion is valid', async () => {
    const reply = await exchange(grant(signAssertion(claims(), emulator.serviceAccount.private_key)));
    expect(reply).toEqual({
      status: 200,
      body: { access_token: expect.stringMatching(/^ya29\./), expires_in: 120, token_type: 'Bearer' },
    });
  });

  it('issues a token when aud is the emulator URL, kid matches and the body is JSON', async () => {
    const assertion = signAssertion(claims({ aud: emulator.tokenUrl }), emulator.serviceAccount.private_key, {
      kid: emulator.serviceAccount.private_key_id,
    });
    expect((await exchange(grant(assertion), 'application/json')).status).toBe(200);
  });

  const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });

  it.each<[string, () => Record<string, string>, string, RegExp]>([
    [
      'the signature is from another key',
      () => grant(signAssertion(claims(), String(foreignKey))),
      'invalid_grant',
      /^Invalid JWT Signature\.$/,
    ],
    [
      'the kid names another key',
      () => grant(signAssertion(claims(), emulator.serviceAccount.private_key, { kid: 'deadbeef' })),
      'invalid_grant',
      /^Invalid JWT Signature\.$/,
    ],
    ['the assertion is not a JWT', () => grant('not-a-jwt'), 'invalid_grant', /malformed/],
    [
      'the issuer is another account',
      () =>
        grant(
          signAssertion(claims({ iss: 'someone@else.iam.gserviceaccount.com' }), emulator.serviceAccount.private_key),
        ),
      'invalid_grant',
      /account not found/,
    ],
    [
      'the audience is wrong',
      () => grant(signAssertion(claims({ aud: 'https://example.com/token' }), emulator.serviceAccount.private_key)),
      'invalid_grant',
      /audience/,
    ],
    [
      'the assertion has expired',
      () => {
        const now = Math.floor(Date.now() / 1000);
        return grant(signAssertion(claims({ iat: now - 4000, exp: now - 400 }), emulator.serviceAccount.private_key));
      },
      'invalid_grant',
      /short-lived token \(60 minutes\)/,
    ],
    [
      'the assertion lives longer than an hour',
      () =>
        grant(
          signAssertion(claims({ exp: Math.floor(Date.now() / 1000) + 7200 }), emulator.serviceAccount.private_key),
        ),
      'invalid_grant',
      /short-lived token/,
    ],
    [
      'no scope is requested',
      () => grant(signAssertion(claims({ scope: undefined }), emulator.serviceAccount.private_key)),
      'invalid_scope',
      /Invalid OAuth scope/,
    ],
    [
      'the grant type is wrong',
      () => ({ grant_type: 'client_credentials', assertion: 'x' }),
      'unsupported_grant_type',
      /client_credentials/,
    ],
    [
      'the assertion is missing',
      () => ({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' }),
      'invalid_request',
      /assertion/,
    ],
  ])("answers 400 with Google's error body when %s", async (_, form, error, description) => {
    const reply = await exchange(form());
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error, error_description: expect.stringMatching(description) });
  });

  it('counts token requests in the token kind when any token request arrives', async () => {
    emulator.resetStats();
    await exchange({ grant_type: 'password' });
    expect(emulator.stats().token).toMatchObject({ calls: 1, byStatus: { '400': 1 } });
    expect(emulator.stats().predict.calls).toBe(0);
  });
});
