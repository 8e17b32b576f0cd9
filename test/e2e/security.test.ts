import { createLogger } from '@imagegate/core';
import { sweepExpiredImages } from '@imagegate/provider-worker';
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

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
