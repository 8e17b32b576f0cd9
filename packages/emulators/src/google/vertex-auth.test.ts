import { JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOGLE_TOKEN_URL } from '../oauth/token-endpoint.ts';
import type { RunningGoogleEmulator } from './emulator.ts';
import { startGoogleEmulator } from './emulator.ts';
import { list, postJson, vertexUrl } from './test-helpers.ts';

let emulator: RunningGoogleEmulator;
/** Tokens live one second here, so refresh can be observed without fake clocks. */
let shortLived: RunningGoogleEmulator;

beforeAll(async () => {
  [emulator, shortLived] = await Promise.all([startGoogleEmulator(), startGoogleEmulator({ tokenLifetimeS: 1 })]);
});
afterAll(() => Promise.all([emulator.close(), shortLived.close()]));

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const body = { instances: [{ prompt: 'a lighthouse' }], parameters: { sampleCount: 1 } };

/**
 * A real google-auth-library JWT client for the emulator's service account. The library hard-codes
 * Google's token URL, so a request interceptor points that one URL at the emulator.
 */
function jwtClient(target: RunningGoogleEmulator, scopes = [CLOUD_PLATFORM]): JWT {
  const client = new JWT({
    email: target.serviceAccount.client_email,
    key: target.serviceAccount.private_key,
    scopes,
    eagerRefreshThresholdMillis: 0,
  });
  client.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.url.href === GOOGLE_TOKEN_URL) config.url = new URL(target.tokenUrl);
      return config;
    },
  });
  return client;
}

function predict(token: string, target = emulator, project = target.projectId) {
  return postJson(vertexUrl(target, 'imagen-4.0-generate-001', 'predict', { project }), body, {
    authorization: `Bearer ${token}`,
  });
}

describe('google-auth-library JWT against the emulator', () => {
  it('gets a token from /token and calls :predict with it when the service account is used', async () => {
    const client = jwtClient(emulator);
    const { token } = await client.getAccessToken();
    expect(token).toMatch(/^ya29\./);
    expect((await predict(token ?? '')).status).toBe(200);
    const response = await client.request<{ predictions: unknown[] }>({
      url: vertexUrl(emulator, 'imagen-4.0-generate-001', 'predict'),
      method: 'POST',
      data: body,
    });
    expect(response.data.predictions).toHaveLength(1);
  });

  it('refreshes the token and refuses the old one when the configured lifetime has passed', async () => {
    const client = jwtClient(shortLived);
    const first = (await client.getAccessToken()).token ?? '';
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stale = await predict(first, shortLived);
    expect(stale.status).toBe(401);
    expect(list(stale.body.error?.details)[0]).toMatchObject({ reason: 'ACCESS_TOKEN_EXPIRED' });
    const second = (await client.getAccessToken()).token ?? '';
    expect(second).not.toBe(first);
    expect((await predict(second, shortLived)).status).toBe(200);
    expect(shortLived.stats().token.byStatus).toEqual({ '200': 2 });
  });

  it('answers 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT when the token lacks cloud-platform', async () => {
    const { token } = await jwtClient(emulator, [
      'https://www.googleapis.com/auth/devstorage.read_only',
    ]).getAccessToken();
    const reply = await predict(token ?? '');
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({
      status: 'PERMISSION_DENIED',
      message: 'Request had insufficient authentication scopes.',
    });
  });
});

describe('Vertex bearer checks', () => {
  it.each([
    ['the header is missing', undefined, 'CREDENTIALS_MISSING', /missing required authentication credential/],
    [
      'the token was never issued',
      'ya29.forged',
      'ACCESS_TOKEN_TYPE_UNSUPPORTED',
      /invalid authentication credentials/,
    ],
    ['an API key is sent as bearer', 'AIzaSy-imagegate-emulator', 'ACCESS_TOKEN_TYPE_UNSUPPORTED', /invalid/],
  ])('answers 401 UNAUTHENTICATED when %s', async (_, token, reason, message) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const reply = await postJson(vertexUrl(emulator, 'imagen-4.0-generate-001', 'predict'), body, headers);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toMatchObject({
      code: 401,
      status: 'UNAUTHENTICATED',
      message: expect.stringMatching(message),
    });
    expect(list(reply.body.error?.details)[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason,
      metadata: { service: 'aiplatform.googleapis.com' },
    });
  });

  it('answers 401 ACCESS_TOKEN_EXPIRED when an issued token has expired', async () => {
    const reply = await predict(emulator.issueAccessToken({ lifetimeS: 0 }));
    expect(list(reply.body.error?.details)[0]).toMatchObject({ reason: 'ACCESS_TOKEN_EXPIRED' });
  });

  it('answers 403 IAM_PERMISSION_DENIED when the URL names another project', async () => {
    const reply = await predict(emulator.issueAccessToken(), emulator, 'someone-elses-project');
    expect(reply.status).toBe(403);
    expect(reply.body.error?.message).toMatch(/^Permission 'aiplatform\.endpoints\.predict' denied on resource/);
  });

  it('answers 401 before 404 when an unauthenticated caller names an unknown model', async () => {
    const reply = await postJson(vertexUrl(emulator, 'no-such-model', 'predict'), body);
    expect(reply.status).toBe(401);
  });

  it('serves the service-account key file when the control API is asked for it', async () => {
    const response = await fetch(`${emulator.url}/__emulator/service-account`);
    expect(await response.json()).toEqual(emulator.serviceAccount);
    expect(emulator.serviceAccount).toMatchObject({
      type: 'service_account',
      project_id: emulator.projectId,
      token_uri: emulator.tokenUrl,
      private_key: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/),
      private_key_id: expect.stringMatching(/^[0-9a-f]{40}$/),
      client_email: `imagegate-emulator@${emulator.projectId}.iam.gserviceaccount.com`,
    });
  });
});
