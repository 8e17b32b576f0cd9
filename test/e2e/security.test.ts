import type { WebhookDeliveryResource } from '@imagegate/contracts';
import { createLogger } from '@imagegate/core';
import { sweepExpiredImages } from '@imagegate/provider-worker';
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { openRawConnection, type RawAnswer, type RawConnection } from '../support/raw-http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * A hostile client against the real stack: what it must not be able to do to the ingress and the
 * other tenants. Short timeouts keep the slow cases quick.
 */
const BODY_TIMEOUT_MS = 1_500;
const HEADERS_TIMEOUT_MS = 1_000;
const MAX_BODY_BYTES = 65_536;

let stack: TestStack;
let account: TestAccount;
const connections: RawConnection[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    },
  });
  account = await stack.createAccount('security');
});
afterAll(async () => {
  for (const connection of connections) connection.destroy();
  await stack?.stop();
});

async function connect(): Promise<RawConnection> {
  const connection = await openRawConnection(stack.url);
  connections.push(connection);
  return connection;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Request head of a JSON POST to the generations route. */
function postHead(options: { contentLength?: number; apiKey?: string; chunked?: boolean; path?: string }): string {
  return [
    `POST ${options.path ?? '/v1/images/generations'} HTTP/1.1`,
    'Host: imagegate',
    'Content-Type: application/json',
    ...(options.apiKey === undefined ? [] : [`Authorization: Bearer ${options.apiKey}`]),
    options.chunked === true ? 'Transfer-Encoding: chunked' : `Content-Length: ${options.contentLength ?? 0}`,
    '',
    '',
  ].join('\r\n');
}

/** Sends `body` one byte every `everyMs` until the connection closes or the body is out. */
function trickle(connection: RawConnection, body: string, everyMs: number): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (connection.isClosed() || sent >= body.length) {
      clearInterval(timer);
      return;
    }
    connection.write(body.slice(sent, sent + 1));
    sent += 1;
  }, everyMs);
}

function envelopeOf(answer: RawAnswer | undefined): ErrorEnvelope['error'] {
  expect(answer?.contentType).toMatch(/^application\/json/);
  return (JSON.parse(answer?.text ?? '') as ErrorEnvelope).error;
}

const VALID_BODY = JSON.stringify({ model: 'gpt-image-2', prompt: 'a cat' });

describe('slow bodies and headers', () => {
  it('answers a JSON POST without a valid key (or admin token) 401 at once, before its body arrives, and closes', async () => {
    const cases = [
      { apiKey: undefined },
      { apiKey: 'sk-ig-not-a-real-key' },
      { apiKey: 'not-the-admin-token-at-all', path: '/admin/v1/accounts' },
    ];
    const results = await Promise.all(
      cases.map(async ({ apiKey, path }) => {
        const connection = await connect();
        connection.write(postHead({ contentLength: VALID_BODY.length, apiKey, path }));
        trickle(connection, VALID_BODY, 1_000);
        const [answer] = await connection.waitForAnswers(1, 1_000);
        const closedAtMs = await Promise.race([connection.closed, sleep(1_000).then(() => undefined)]);
        return { answer, closedAtMs };
      }),
    );
    for (const { answer, closedAtMs } of results) {
      expect(answer?.status).toBe(401);
      expect(answer?.atMs).toBeLessThan(1_000);
      expect(envelopeOf(answer).type).toBe('authentication_error');
      expect(answer?.headers.get('connection')).toBe('close');
      expect(closedAtMs).toBeDefined();
    }
  });

  it('answers a body that trickles in with a valid key 408 after BODY_TIMEOUT_MS, with the envelope, and closes', async () => {
    const connection = await connect();
    connection.write(postHead({ contentLength: VALID_BODY.length, apiKey: account.apiKey }));
    trickle(connection, VALID_BODY, 400);
    const [answer] = await connection.waitForAnswers(1, BODY_TIMEOUT_MS + 5_000);
    expect(answer?.status).toBe(408);
    expect(answer?.atMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
    expect(envelopeOf(answer)).toMatchObject({ type: 'invalid_request_error', code: 'request_timeout' });
    expect(answer?.headers.get('connection')).toBe('close');
    expect(answer?.requestId).not.toBeNull();
    expect(await connection.closed).toBeLessThan(BODY_TIMEOUT_MS + 5_000);
  });

  it('answers a body shorter than its Content-Length 408, not silence', async () => {
    const connection = await connect();
    connection.write(postHead({ contentLength: VALID_BODY.length + 10, apiKey: account.apiKey }) + VALID_BODY);
    const [answer] = await connection.waitForAnswers(1, BODY_TIMEOUT_MS + 5_000);
    expect(answer?.status).toBe(408);
    expect(envelopeOf(answer).code).toBe('request_timeout');
    expect(await connection.closed).toBeLessThan(BODY_TIMEOUT_MS + 5_000);
  });

  it('answers a body cut short by the end of the client’s sending 408 too', async () => {
    const connection = await connect();
    connection.write(postHead({ contentLength: VALID_BODY.length + 10, apiKey: account.apiKey }) + VALID_BODY);
    connection.endWrites();
    const [answer] = await connection.waitForAnswers(1, 5_000);
    expect(answer?.status).toBe(408);
    expect(envelopeOf(answer).code).toBe('request_timeout');
  });

  it('answers headers that never end 408 after HEADERS_TIMEOUT_MS, with the envelope, and closes', async () => {
    const connection = await connect();
    connection.write('POST /v1/images/generations HTTP/1.1\r\nHost: imagegate\r\n');
    trickle(connection, 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 300);
    const [answer] = await connection.waitForAnswers(1, HEADERS_TIMEOUT_MS + 5_000);
    expect(answer?.status).toBe(408);
    expect(envelopeOf(answer).code).toBe('request_timeout');
    expect(await connection.closed).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000);
  });

  it('gives a body larger than MAX_BODY_BYTES time in proportion, as long as it keeps coming', async () => {
    // Chunked, 8 × MAX_BODY_BYTES at ~4 × the minimum rate (MAX_BODY_BYTES per BODY_TIMEOUT_MS):
    // longer than BODY_TIMEOUT_MS in all, never behind the rate. The route then refuses it as too large.
    const connection = await connect();
    connection.write(postHead({ apiKey: account.apiKey, chunked: true }));
    const piece = 'x'.repeat(MAX_BODY_BYTES / 8);
    const pieces = 64;
    const everyMs = BODY_TIMEOUT_MS / 8 / 4;
    const startedAt = Date.now();
    for (let sent = 0; sent < pieces && !connection.isClosed(); sent++) {
      connection.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      await sleep(everyMs);
    }
    connection.write('0\r\n\r\n');
    const [answer] = await connection.waitForAnswers(1, 5_000);
    expect(Date.now() - startedAt).toBeGreaterThan(BODY_TIMEOUT_MS);
    expect(answer?.status).toBe(413);
  });
});

describe('invalid UTF-8 in a JSON body', () => {
  const send = (body: Buffer) =>
    fetch(`${stack.url}/v1/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body,
    });
  const jobCount = async () =>
    (
      await stack.database.pool.query<{ count: string }>(
        'select count(*)::text as count from jobs where account_id = $1',
        [account.accountId],
      )
    ).rows[0]?.count;

  it.each<[string, Buffer, string | null]>([
    [
      'a byte that is never UTF-8 in the prompt',
      Buffer.from('{"model":"gpt-image-2","prompt":"a \xff cat"}', 'latin1'),
      'prompt',
    ],
    [
      'a cut-off sequence in a metadata value',
      Buffer.concat([
        Buffer.from('{"model":"gpt-image-2","prompt":"a cat","metadata":{"k":"'),
        Buffer.from([0xe2, 0x82]),
        Buffer.from('"}}'),
      ]),
      'metadata.k',
    ],
    [
      'an overlong encoding after a real U+FFFD',
      Buffer.concat([
        Buffer.from('{"model":"gpt-image-2","prompt":"a \ufffd cat","user":"'),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('"}'),
      ]),
      'user',
    ],
  ])('refuses %s with 400 naming the field, and runs nothing', async (_name, body, param) => {
    const before = await jobCount();
    const response = await send(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorEnvelope).error).toMatchObject({ param, code: 'invalid_value' });
    expect(await jobCount()).toBe(before);
  });

  it('accepts a real U+FFFD', async () => {
    const response = await send(Buffer.from('{"model":"gpt-image-2","prompt":"a \ufffd cat","response_format":"url"}'));
    expect(response.status).toBe(200);
  });
});

describe('pipelining', () => {
  it('answers every complete request before the 400 for the garbage after them', async () => {
    const connection = await connect();
    // URLs, not a streamed b64 body: answers framed by Content-Length are simpler to read back.
    const body = JSON.stringify({ model: 'gpt-image-2', prompt: 'a cat', response_format: 'url' });
    const generation = `${postHead({ contentLength: Buffer.byteLength(body), apiKey: account.apiKey })}${body}`;
    const models = `GET /v1/models HTTP/1.1\r\nHost: imagegate\r\nAuthorization: Bearer ${account.apiKey}\r\n\r\n`;
    connection.write(`${generation}${models}\u0001\u0002 not http at all\r\n\r\n`);
    const answers = await connection.waitForAnswers(3, 15_000);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400]);
    expect((JSON.parse(answers[0]?.text ?? '{}') as { data: unknown[] }).data).toHaveLength(1);
    expect(envelopeOf(answers[2]).code).toBe('invalid_http_request');
    expect(await connection.closed).toBeGreaterThan(0);
  });
});

describe('model names', () => {
  const generate = (body: Record<string, unknown>) =>
    callJson<ErrorEnvelope & { extra?: { model?: string } }>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { prompt: 'a cat', response_format: 'url', ...body },
    });

  it('matches a name ignoring case and says which model served', async () => {
    const response = await generate({ model: 'GPT-IMAGE-2' });
    expect(response.status).toBe(200);
    expect(response.body.extra?.model).toBe('gpt-image-2');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a trailing newline', { model: 'gpt-image-2\n' }, 'model'],
    ['a leading space', { model: ' gpt-image-2' }, 'model'],
    ['a tab inside', { model: 'gpt-image\t2' }, 'model'],
    ['a control character', { model: 'gpt-image-2\u0007' }, 'model'],
    ['a fallback with a trailing space', { model: 'gpt-image-2', fallbacks: ['dall-e-3 '] }, 'fallbacks'],
  ])('refuses a name with %s (400 invalid_value), never trimming it', async (_name, body, param) => {
    const response = await generate(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_value' });
    expect(response.body.error.param).toMatch(new RegExp(`^${param}`));
  });
});

/**
 * A tenant scanning the operator's own services through webhooks: with `localhost` allow-listed
 * (a bare host: ports 443 and 80 only), the admin API and the emulators' control port beside it
 * are refused, and what an allow-listed private receiver answers is never readable back.
 */
describe('webhook allow-list ports', () => {
  let stack: TestStack;
  let tenant: TestAccount;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // The one port the operator trusts, known before the services start.
    receiver = await startWebhookReceiver(() => 500);
    stack = await startTestStack({
      env: {
        WEBHOOK_ALLOW_HOSTS: `localhost, 127.0.0.1:${receiver.port}`,
        WEBHOOK_RETRY_SCHEDULE: '100ms',
        WEBHOOK_TIMEOUT_MS: '1000',
      },
    });
    tenant = await stack.createAccount('port-scan');
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });

  function submit(webhookUrl: string) {
    return callJson<ErrorEnvelope & { id: string }>(`${stack.url}/v1/images/generations`, {
      apiKey: tenant.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'port scan', quality: 'low', webhook_url: webhookUrl },
      headers: { prefer: 'respond-async' },
    });
  }

  async function settledDelivery(jobId: string): Promise<WebhookDeliveryResource | undefined> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { body } = await callJson<{ data: WebhookDeliveryResource[] }>(
        `${stack.url}/v1/images/jobs/${jobId}/webhook_deliveries`,
        { apiKey: tenant.apiKey },
      );
      const [delivery] = body.data;
      if ((delivery && delivery.status !== 'pending') || Date.now() > deadline) return delivery;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each([
    ['the admin API over http', () => `http://localhost:${new URL(stack.url).port}/admin/v1/reports/margin`],
    ['the admin API over https', () => `https://localhost:${new URL(stack.url).port}/admin/v1/reports/margin`],
    ['the emulator control port', () => `http://localhost:${stack.emulator.port}/__emulator/faults`],
    ['the emulator control port over https', () => `https://localhost:${stack.emulator.port}/__emulator/stats`],
  ])('refuses %s on localhost with a 400 on webhook_url', async (_case, url) => {
    const refused = await submit(url());
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'webhook_url',
    });
  });

  it('keeps status and timing of an allow-listed private receiver, never its answer', async () => {
    const accepted = await submit(`http://127.0.0.1:${receiver.port}/hook`);
    expect(accepted.status).toBe(202);
    const delivery = await settledDelivery(accepted.body.id);
    expect(delivery?.status).toBe('failed');
    expect(delivery?.attempts).toHaveLength(2);
    for (const attempt of delivery?.attempts ?? []) {
      expect(attempt).toMatchObject({ status_code: 500, error: 'HTTP 500', response_excerpt: null });
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
    }
    expect(receiver.received).toHaveLength(2);
    const { body } = await callJson(`${stack.url}/v1/images/jobs/${accepted.body.id}/webhook_deliveries`, {
      apiKey: tenant.apiKey,
    });
    expect(JSON.stringify(body)).not.toContain('answered 500');
  });
});

/** The admin API takes exactly `Authorization: Bearer <ADMIN_TOKEN>` (scheme in any case), nothing looser. */
describe('admin authorization header', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  function adminWith(authorization: string) {
    return callJson<ErrorEnvelope>(`${stack.url}/admin/v1/reports/margin`, { headers: { authorization } });
  }

  it.each([
    ['Bearer', (token: string) => `Bearer ${token}`],
    ['bearer', (token: string) => `bearer ${token}`],
    ['BEARER', (token: string) => `BEARER ${token}`],
  ])('accepts the %s scheme with one space', async (_case, header) => {
    expect((await adminWith(header(stack.adminToken))).status).toBe(200);
  });

  it.each([
    ['a bare token', (token: string) => token],
    ['a tab after the scheme', (token: string) => `Bearer\t${token}`],
    ['two spaces after the scheme', (token: string) => `Bearer  ${token}`],
    ['another scheme', (token: string) => `Basic ${token}`],
    ['a scheme glued to the token', (token: string) => `Bearer${token}`],
    ['the token twice', (token: string) => `Bearer ${token} ${token}`],
    ['a token one character short', (token: string) => `Bearer ${token.slice(0, -1)}`],
    ['a token with a character more', (token: string) => `Bearer ${token}x`],
  ])('refuses %s with a 401 invalid_admin_token', async (_case, header) => {
    const refused = await adminWith(header(stack.adminToken));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_admin_token' });
  });
});

describe('image URLs', () => {
  // The single-machine default: images on this machine's disk, served by the ingress itself.
  let stack: TestStack;
  let urlA: string;
  let urlB: string;
  let imageB: Buffer;
  let keyA: string;
  let accountA: string;

  async function generateUrl(name: string): Promise<string> {
    const account = await stack.createAccount(name);
    if (name === 'tenant-a') [keyA, accountA] = [account.apiKey, account.accountId];
    const client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
    const result = await client.images.generate({ model: 'gpt-image-2', prompt: 'a cube', response_format: 'url' });
    return result.data?.[0]?.url ?? '';
  }

  /** The URL's token, `<key>.<expiry>.<signature>.<ext>`, in parts. */
  function parts(url: string): { base: string; key: string; expiry: string; signature: string; ext: string } {
    const slash = url.lastIndexOf('/');
    const [key = '', expiry = '', signature = '', ext = ''] = url.slice(slash + 1).split('.');
    return { base: url.slice(0, slash + 1), key, expiry, signature, ext };
  }

  function join(p: ReturnType<typeof parts>): string {
    return `${p.base}${[p.key, p.expiry, p.signature, p.ext].join('.')}`;
  }

  async function expectRefused(url: string, status: number, code: string): Promise<void> {
    const response = await fetch(url);
    expect(response.status, url).toBe(status);
    const body = (await response.json()) as ErrorEnvelope;
    expect(body.error.code, url).toBe(code);
  }

  beforeAll(async () => {
    stack = await startTestStack({ imageStore: 'local' });
    [urlA, urlB] = await Promise.all([generateUrl('tenant-a'), generateUrl('tenant-b')]);
    imageB = Buffer.from(await (await fetch(urlB)).arrayBuffer());
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('are served by the ingress at PUBLIC_BASE_URL, a host name and not an IP address', async () => {
    expect(urlA.startsWith(`${stack.env.PUBLIC_BASE_URL}/v1/images/files/`)).toBe(true);
    expect(new URL(urlA).hostname).toBe('localhost');
    const response = await fetch(urlA);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).format).toBe('png');
  });

  it('refuse a changed signature', async () => {
    const p = parts(urlA);
    const flipped = `${p.signature[0] === 'A' ? 'B' : 'A'}${p.signature.slice(1)}`;
    await expectRefused(join({ ...p, signature: flipped }), 403, 'image_url_invalid');
    await expectRefused(join({ ...p, signature: parts(urlB).signature }), 403, 'image_url_invalid');
    await expectRefused(join({ ...p, expiry: String(Number(p.expiry) + 86_400) }), 403, 'image_url_invalid');
  });

  it("refuse a URL pointed at another tenant's key", async () => {
    const a = parts(urlA);
    const b = parts(urlB);
    await expectRefused(join({ ...a, key: b.key }), 403, 'image_url_invalid');
    await expectRefused(join({ ...b, key: a.key }), 403, 'image_url_invalid');
    const jobKeyOfB = Buffer.from(b.key, 'base64url').toString();
    await expectRefused(
      join({ ...a, key: Buffer.from(jobKeyOfB.replace(/\/0\./, '/1.')).toString('base64url') }),
      403,
      'image_url_invalid',
    );
  });

  it('offer no anonymous PUT and no listing, and the other tenant keeps its image', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const filesPath = `${stack.url}/v1/images/files`;
    const attempts: [string, string, Uint8Array | undefined][] = [
      ['PUT', urlB, png],
      ['POST', urlB, png],
      ['DELETE', urlB, undefined],
      ['PUT', `${filesPath}/${Buffer.from('jobs/x/0.png').toString('base64url')}`, png],
      ['GET', `${filesPath}/`, undefined],
      ['GET', filesPath, undefined],
      ['GET', `${stack.url}/imagegate/`, undefined],
      ['GET', `${stack.url}/v1/images/files/..%2F..%2F`, undefined],
    ];
    for (const [method, url, body] of attempts) {
      const response = await fetch(url, { method, body });
      const text = await response.text();
      expect(response.status, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(text, `${method} ${url}`).not.toMatch(/jobs\//);
    }
    expect(Buffer.from(await (await fetch(urlB)).arrayBuffer()).equals(imageB)).toBe(true);
  });

  // Last: it ages every job of this stack past retention.
  it('answer 410 image_expired once the retention sweep deleted the image, and the job says so', async () => {
    const { rows } = await stack.database.pool.query<{ id: string }>('select id from jobs where account_id = $1', [
      accountA,
    ]);
    const later = new Date(Date.now() + 31 * 86_400_000);
    const swept = await sweepExpiredImages(
      { pool: stack.database.pool, store: stack.store, logger: createLogger({ level: 'silent' }) },
      { retentionDays: 30, now: later },
    );
    expect(swept.jobs).toBeGreaterThanOrEqual(2);
    await expectRefused(urlA, 410, 'image_expired');
    await expectRefused(urlB, 410, 'image_expired');
    const job = await fetch(`${stack.baseURL}/images/jobs/${rows[0]?.id}`, {
      headers: { authorization: `Bearer ${keyA}` },
    });
    const body = (await job.json()) as { images_expired_at: number | null; result: { data: unknown[] } | null };
    expect(body.images_expired_at).toEqual(expect.any(Number));
    expect(body.result?.data).toEqual([]);
  });
});
