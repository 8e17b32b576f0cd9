import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@imagegate/core';
import { createLocalObjectStore, type LocalObjectStore } from '@imagegate/storage';
import { describeObjectStoreContract } from '@imagegate/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, unknownRoute } from '../middleware/error-handler.ts';
import { imageFilesRouter, parseRangeHeader } from './image-files.ts';

const SECRET = 'test-secret-test-secret-test-secret-0123';

/** The route on an app of its own, as buildApp mounts it, with the store it serves. */
async function serveLocalStore(): Promise<{ store: LocalObjectStore; url: string; close(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'imagegate-files-'));
  const logger = createLogger({ level: 'silent' });
  const app = express();
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const store = createLocalObjectStore({ directory, publicBaseUrl: url, urlSecret: SECRET });
  app.use(imageFilesRouter(store, { logger }));
  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return {
    store,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** `<base>/v1/images/files/<key>.<expiry>.<signature><.ext>` → its parts and a way back. */
function tokenParts(url: string) {
  const slash = url.lastIndexOf('/');
  const [key = '', expiry = '', signature = '', ...extension] = url.slice(slash + 1).split('.');
  return {
    key,
    expiry,
    signature,
    build: (parts: { key?: string; expiry?: string; signature?: string }) =>
      `${url.slice(0, slash + 1)}${[parts.key ?? key, parts.expiry ?? expiry, parts.signature ?? signature, ...extension].join('.')}`,
  };
}

describeObjectStoreContract('local filesystem, served by the ingress', async () => {
  const served = await serveLocalStore();
  return {
    store: served.store,
    changeSignature(url) {
      const parts = tokenParts(url);
      return parts.build({ signature: `${parts.signature.slice(0, -1)}${parts.signature.endsWith('A') ? 'B' : 'A'}` });
    },
    changeKey: (url, otherUrl) => tokenParts(url).build({ key: tokenParts(otherUrl).key }),
    changeExpiry(url) {
      const parts = tokenParts(url);
      return parts.build({ expiry: String(Number(parts.expiry) + 60) });
    },
    close: served.close,
  };
});

describe('GET /v1/images/files/<token>', () => {
  let served: Awaited<ReturnType<typeof serveLocalStore>>;
  const body = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

  beforeAll(async () => {
    served = await serveLocalStore();
    await served.store.putObject('jobs/job_1/0.svg', body, { contentType: 'image/svg+xml' });
  });
  afterAll(async () => {
    await served?.close();
  });

  it('serves with length, type, an expiring cache lifetime and headers that keep an SVG inert', async () => {
    const url = served.store.presignGet('jobs/job_1/0.svg', 600);
    expect(url).toMatch(new RegExp(`^${served.url}/v1/images/files/[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]{43}\\.svg$`));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'image/svg+xml',
      'content-length': String(body.byteLength),
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-security-policy': expect.stringContaining('sandbox'),
    });
    expect(response.headers.get('cache-control')).toMatch(/^private, max-age=(59\d|600), immutable$/);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it('answers a Range with 206 and Content-Range, and one past the end with 416', async () => {
    const url = served.store.presignGet('jobs/job_1/0.svg', 60);
    const partial = await fetch(url, { headers: { range: 'bytes=5-9' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 5-9/${body.byteLength}`);
    expect(await partial.text()).toBe(body.subarray(5, 10).toString());
    const suffix = await fetch(url, { headers: { range: 'bytes=-6' } });
    expect([suffix.status, await suffix.text()]).toEqual([206, '</svg>']);
    const past = await fetch(url, { headers: { range: `bytes=${body.byteLength}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${body.byteLength}`);
    expect(((await past.json()) as { error: { code: string } }).error.code).toBe('range_not_satisfiable');
  });

  it('answers HEAD with the headers only', async () => {
    const response = await fetch(served.store.presignGet('jobs/job_1/0.svg', 60), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
    expect(await response.text()).toBe('');
  });

  it('refuses changed and expired URLs with the envelope, and says which', async () => {
    const url = served.store.presignGet('jobs/job_1/0.svg', 60);
    const parts = tokenParts(url);
    const refusals = [
      [parts.build({ signature: parts.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }), 'image_url_invalid'],
      [parts.build({ key: Buffer.from('jobs/job_2/0.svg').toString('base64url') }), 'image_url_invalid'],
      [parts.build({ expiry: `0${parts.expiry}` }), 'image_url_invalid'],
      [`${url}x`, 'image_url_invalid'],
      [url.replace(/\.svg$/, '.png'), 'image_url_invalid'],
      [url.replace(/\.svg$/, ''), 'image_url_invalid'],
      [`${served.url}/v1/images/files/garbage`, 'image_url_invalid'],
      [served.store.presignGet('jobs/job_1/0.svg', 60, new Date(Date.now() - 61_000)), 'image_url_expired'],
    ] as const;
    for (const [refused, code] of refusals) {
      const response = await fetch(refused);
      expect(response.status, refused).toBe(403);
      expect(await response.json(), refused).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
      });
    }
  });

  it('answers 410 image_expired for a signed key whose object is gone (the retention sweep)', async () => {
    const response = await fetch(served.store.presignGet('jobs/job_9/0.png', 60));
    expect(response.status).toBe(410);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('image_expired');
  });

  it('offers no listing and no writes', async () => {
    const url = served.store.presignGet('jobs/job_1/0.svg', 60);
    for (const [method, path] of [
      ['GET', '/v1/images/files/'],
      ['GET', '/v1/images/files'],
      ['PUT', new URL(url).pathname],
      ['POST', new URL(url).pathname],
      ['DELETE', new URL(url).pathname],
    ] as const) {
      const response = await fetch(`${served.url}${path}`, { method, body: method === 'GET' ? undefined : 'x' });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    }
    expect((await fetch(url)).status).toBe(200);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(body)).toBe(true);
  });
});

describe('parseRangeHeader', () => {
  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=10-', { start: 10 }],
    ['bytes=-5', { suffixLength: 5 }],
    ['bytes=9-0', undefined],
    ['bytes=-', undefined],
    ['bytes=0-1,5-6', undefined],
    ['items=0-1', undefined],
    [undefined, undefined],
  ])('%s → %o', (header, range) => {
    expect(parseRangeHeader(header)).toEqual(range);
  });
});
