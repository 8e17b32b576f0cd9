import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayError } from '@imagegate/core';
import type { ObjectStore } from '@imagegate/storage';
import { createTestBucket } from '@imagegate/testing';
import { createWebhookUrlPolicy, type WebhookUrlPolicy } from '@imagegate/webhooks';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonEditImages } from './read-json-edit-images.ts';

function png(width: number, height: number, alpha = true): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: alpha ? 4 : 3, background: { r: 1, g: 2, b: 3, alpha: 0.5 } },
  })
    .png()
    .toBuffer();
}

const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

let store: ObjectStore;
let server: Server;
let origin: string;
let served: Buffer;
let jobCounter = 0;
const nextJob = () => `job_json${++jobCounter}`;

/** Public-only policy; `images.example` resolves to a private address. */
const strict: WebhookUrlPolicy = createWebhookUrlPolicy({
  resolveHost: async () => [{ address: '10.1.2.3', family: 4 }],
});

beforeAll(async () => {
  store = await createTestBucket();
  served = await png(40, 30);
  server = createServer((req, res) => {
    if (req.url === '/slow.png') return; // never answers
    if (req.url === '/moved.png') {
      res.writeHead(302, { location: '/a.png' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png' }).end(served);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await store?.deleteBucket();
  store?.close();
});

describe('readJsonEditImages', () => {
  it('stores data URL images and mask', async () => {
    const jobId = nextJob();
    const image = await png(16, 16);
    const got = await readJsonEditImages(
      {
        images: [{ image_url: dataUrl(image) }, { image_url: dataUrl(await png(5, 7)) }],
        mask: { image_url: dataUrl(await png(16, 16)) },
      },
      { store, jobId, maxImages: 16, urlPolicy: strict },
    );
    expect(got.images.map((i) => [i.key, i.width, i.height, i.bytes])).toEqual([
      [`jobs/${jobId}/inputs/0.png`, 16, 16, image.length],
      [`jobs/${jobId}/inputs/1.png`, 5, 7, expect.any(Number)],
    ]);
    expect(got.mask?.key).toBe(`jobs/${jobId}/inputs/mask.png`);
    expect((await store.listKeys(`jobs/${jobId}/`)).length).toBe(3);
  });

  it('fetches an http URL from an allow-listed host', async () => {
    const jobId = nextJob();
    const got = await readJsonEditImages(
      { images: [{ image_url: `${origin}/a.png` }] },
      { store, jobId, maxImages: 16, urlPolicy: createWebhookUrlPolicy({ allowHosts: '127.0.0.1:*' }) },
    );
    expect(got.images[0]).toMatchObject({ width: 40, height: 30, bytes: served.length });
  });

  const ok = { image_url: 'data:image/png;base64,' };
  const cases: {
    name: string;
    body: () => Promise<{ images?: unknown; mask?: unknown }>;
    policy?: WebhookUrlPolicy;
    maxBytes?: number;
    status: number;
    code: string;
    param: string;
  }[] = [
    { name: 'no images', body: async () => ({}), status: 400, code: 'missing_required_parameter', param: 'images' },
    {
      name: '17 images with a limit of 16',
      body: async () => ({ images: Array.from({ length: 17 }, () => ok) }),
      status: 400,
      code: 'invalid_value',
      param: 'images[16]',
    },
    {
      name: 'a private address (literal)',
      body: async () => ({
        images: [{ image_url: dataUrl(await png(4, 4)) }, { image_url: 'https://127.0.0.1/x.png' }],
      }),
      status: 400,
      code: 'invalid_value',
      param: 'images[1].image_url',
    },
    {
      name: 'a host resolving to a private address',
      body: async () => ({
        images: [{ image_url: dataUrl(await png(4, 4)) }, { image_url: 'https://images.example/x.png' }],
      }),
      status: 400,
      code: 'invalid_value',
      param: 'images[1].image_url',
    },
    {
      name: 'plain http to a host not allow-listed',
      body: async () => ({ images: [{ image_url: `${origin}/a.png` }] }),
      status: 400,
      code: 'invalid_value',
      param: 'images[0].image_url',
    },
    {
      name: 'a redirect',
      body: async () => ({ images: [{ image_url: `${origin}/moved.png` }] }),
      policy: createWebhookUrlPolicy({ allowHosts: '127.0.0.1:*' }),
      status: 400,
      code: 'invalid_value',
      param: 'images[0].image_url',
    },
    {
      name: 'a URL too slow to answer',
      body: async () => ({ images: [{ image_url: `${origin}/slow.png` }] }),
      policy: createWebhookUrlPolicy({ allowHosts: '127.0.0.1:*' }),
      status: 400,
      code: 'invalid_value',
      param: 'images[0].image_url',
    },
    {
      name: 'a data URL over the byte limit',
      body: async () => ({ images: [{ image_url: dataUrl(await png(300, 300)) }] }),
      maxBytes: 100,
      status: 413,
      code: 'payload_too_large',
      param: 'images[0].image_url',
    },
    {
      name: 'a fetched image over the byte limit',
      body: async () => ({ images: [{ image_url: `${origin}/a.png` }] }),
      policy: createWebhookUrlPolicy({ allowHosts: '127.0.0.1:*' }),
      maxBytes: 100,
      status: 413,
      code: 'payload_too_large',
      param: 'images[0].image_url',
    },
    {
      name: 'a text data URL',
      body: async () => ({
        images: [{ image_url: `data:image/png;base64,${Buffer.from('hello').toString('base64')}` }],
      }),
      status: 400,
      code: 'invalid_value',
      param: 'images[0].image_url',
    },
    {
      name: 'a mask of another size',
      body: async () => ({
        images: [{ image_url: dataUrl(await png(8, 8)) }],
        mask: { image_url: dataUrl(await png(9, 8)) },
      }),
      status: 400,
      code: 'invalid_value',
      param: 'mask',
    },
  ];
  it.each(cases)('refuses $name and leaves nothing behind', async ({ body, policy, maxBytes, status, code, param }) => {
    const jobId = nextJob();
    const error: GatewayError = await readJsonEditImages(await body(), {
      store,
      jobId,
      maxImages: 16,
      maxInputImageBytes: maxBytes ?? 4096,
      urlPolicy: policy ?? strict,
      fetchTimeoutMs: 300,
    }).then(
      () => expect.fail('accepted'),
      (e: GatewayError) => e,
    );
    expect({ status: error.status, code: error.code, param: error.param }).toEqual({ status, code, param });
    expect(await store.listKeys(`jobs/${jobId}/`)).toEqual([]);
  });
});
