import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PassThrough, Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { GatewayError } from '@imagegate/core';
import type { ObjectStore } from '@imagegate/storage';
import { createTestBucket } from '@imagegate/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMultipartEdit } from './read-multipart-edit.ts';

const BOUNDARY = 'imagegate-test-boundary';

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

function partHead(part: Part): Buffer {
  const disposition =
    part.filename === undefined
      ? `form-data; name="${part.name}"`
      : `form-data; name="${part.name}"; filename="${part.filename}"`;
  const type = part.filename === undefined ? '' : `Content-Type: ${part.contentType ?? 'image/png'}\r\n`;
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`);
}

function multipart(parts: Part[]): Buffer {
  return Buffer.concat([
    ...parts.flatMap((part) => [partHead(part), Buffer.from(part.value), Buffer.from('\r\n')]),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

function png(width: number, height: number, alpha = true): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: alpha ? 4 : 3, background: { r: 10, g: 200, b: 30, alpha: 0.5 } },
  })
    .png()
    .toBuffer();
}

function file(name: string, value: Buffer, filename = 'x.png'): Part {
  return { name, value, filename };
}

let store: ObjectStore;
let jobCounter = 0;

beforeAll(async () => {
  store = await createTestBucket();
});

afterAll(async () => {
  await store?.deleteBucket();
  store?.close();
});

function nextJob(): string {
  return `job_test${++jobCounter}`;
}

describe('readMultipartEdit', () => {
  it('settles when the client goes away mid-part: refused, nothing stored, no spool left', async () => {
    const spoolsBefore = (await readdir(tmpdir())).filter((name) => name.startsWith('imagegate-edit-')).length;
    const jobId = nextJob();
    const body = new PassThrough();
    const reading = readMultipartEdit({ headers, body }, { store, jobId, maxImages: 16 });
    body.write(partHead(file('image', Buffer.alloc(0))));
    body.write(await png(256, 256));
    body.write(Buffer.alloc(64 * 1024, 7));
    setTimeout(() => body.destroy(new Error('aborted')), 50);
    await expect(reading).rejects.toThrow();
    expect(await store.listKeys(`jobs/${jobId}/`)).toEqual([]);
    const spoolsAfter = (await readdir(tmpdir())).filter((name) => name.startsWith('imagegate-edit-')).length;
    expect(spoolsAfter).toBeLessThanOrEqual(spoolsBefore);
  });

  it('stores one image and its mask, hashed, with the other fields', async () => {
    const image = await png(64, 48);
    const mask = await png(64, 48);
    const jobId = nextJob();
    const body = multipart([
      { name: 'model', value: 'gpt-image-1' },
      file('image', image),
      file('mask', mask, 'mask.png'),
      { name: 'prompt', value: 'a cat' },
      { name: 'metadata', value: '{"a":1}' },
    ]);
    const got = await readMultipartEdit({ headers, body: Readable.from([body]) }, { store, jobId, maxImages: 16 });
    expect(got.fields).toEqual({ model: 'gpt-image-1', prompt: 'a cat', metadata: { a: 1 } });
    expect(got.images).toHaveLength(1);
    expect(got.images[0]).toMatchObject({
      key: `jobs/${jobId}/inputs/0.png`,
      width: 64,
      height: 48,
      bytes: image.length,
      contentType: 'image/png',
    });
    expect(got.images[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(got.mask?.key).toBe(`jobs/${jobId}/inputs/mask.png`);
    expect((await store.listKeys(`jobs/${jobId}/`)).sort()).toEqual([
      `jobs/${jobId}/inputs/0.png`,
      `jobs/${jobId}/inputs/mask.png`,
    ]);
  });

  it('stores three images (image[]) in order, whatever their format', async () => {
    const jpeg = await sharp({ create: { width: 30, height: 20, channels: 3, background: 'red' } })
      .jpeg()
      .toBuffer();
    const webp = await sharp({ create: { width: 10, height: 40, channels: 3, background: 'blue' } })
      .webp()
      .toBuffer();
    const jobId = nextJob();
    const body = multipart([file('image[]', await png(8, 8)), file('image[]', jpeg), file('image[]', webp, 'c.bin')]);
    const got = await readMultipartEdit({ headers, body: Readable.from([body]) }, { store, jobId, maxImages: 16 });
    expect(got.images.map((i) => [i.key, i.width, i.height, i.contentType])).toEqual([
      [`jobs/${jobId}/inputs/0.png`, 8, 8, 'image/png'],
      [`jobs/${jobId}/inputs/1.jpeg`, 30, 20, 'image/jpeg'],
      [`jobs/${jobId}/inputs/2.webp`, 10, 40, 'image/webp'],
    ]);
    expect(got.mask).toBeUndefined();
  });

  describe('refusals leave nothing in the bucket', async () => {
    const ok = await png(64, 48);
    const cases: { name: string; body: () => Promise<Buffer>; status: number; code: string; param: string | null }[] = [
      {
        name: 'no image',
        body: async () => multipart([{ name: 'prompt', value: 'x' }]),
        status: 400,
        code: 'missing_required_parameter',
        param: 'image',
      },
      {
        name: '17 images with a limit of 16',
        body: async () => multipart(Array.from({ length: 17 }, () => file('image[]', ok))),
        status: 400,
        code: 'invalid_value',
        param: 'image[16]',
      },
      {
        name: 'a text file named x.png',
        body: async () => multipart([file('image[]', ok), file('image[]', Buffer.from('hello, not an image'))]),
        status: 400,
        code: 'invalid_value',
        param: 'image[1]',
      },
      {
        name: 'a truncated PNG',
        body: async () => multipart([file('image', ok.subarray(0, ok.length - 20))]),
        status: 400,
        code: 'invalid_value',
        param: 'image[0]',
      },
      {
        name: 'a mask of another size',
        body: async () => multipart([file('image', ok), file('mask', await png(32, 48))]),
        status: 400,
        code: 'invalid_value',
        param: 'mask',
      },
      {
        name: 'a mask without alpha',
        body: async () => multipart([file('image', ok), file('mask', await png(64, 48, false))]),
        status: 400,
        code: 'invalid_value',
        param: 'mask',
      },
      {
        name: 'a part over the byte limit',
        body: async () => multipart([file('image[]', ok), file('image[]', ok), file('image[]', await png(600, 600))]),
        status: 413,
        code: 'payload_too_large',
        param: 'image[2]',
      },
      {
        name: 'a broken boundary',
        body: async () => {
          const whole = multipart([file('image', ok), file('image', ok)]);
          return whole.subarray(0, whole.length - 30);
        },
        status: 400,
        code: 'invalid_body',
        param: null,
      },
      {
        name: 'an unknown file field',
        body: async () => multipart([file('image', ok), file('picture', ok)]),
        status: 400,
        code: 'unknown_parameter',
        param: 'picture',
      },
    ];
    it.each(cases)('$name', async ({ body, status, code, param }) => {
      const jobId = nextJob();
      const error: GatewayError = await readMultipartEdit(
        { headers, body: Readable.from([await body()]) },
        { store, jobId, maxImages: 16, maxInputImageBytes: ok.length * 2 },
      ).then(
        () => expect.fail('accepted'),
        (e: GatewayError) => e,
      );
      expect({ status: error.status, code: error.code, param: error.param }).toEqual({ status, code, param });
      expect(await store.listKeys(`jobs/${jobId}/`)).toEqual([]);
    });
  });

  it('streams a 20 MiB part without holding it in memory', async () => {
    // Noise does not compress: a ~20 MiB PNG.
    const side = 2700;
    const raw = Buffer.alloc(side * side * 3);
    for (let i = 0; i < raw.length; i += 4) raw.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    const big = await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(20 * 1024 * 1024);
    const chunks = function* () {
      yield partHead(file('image', big));
      for (let i = 0; i < big.length; i += 64 * 1024) yield big.subarray(i, i + 64 * 1024);
      yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    };
    const jobId = nextJob();
    // What stays alive, not what awaits collection: collect before every sample. Buffers live
    // outside the JS heap, so it is `arrayBuffers` (not RSS, which freed pages need not leave) that shows them.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    const collect = () => {
      if (typeof gc === 'function') gc();
    };
    collect();
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => {
      collect();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 50);
    const got = await readMultipartEdit({ headers, body: Readable.from(chunks()) }, { store, jobId, maxImages: 16 });
    clearInterval(sampler);
    expect(got.images[0]).toMatchObject({ width: side, height: side, bytes: big.length });
    // Buffering the part would hold all of it; a busy machine's GC timing leaves some slack.
    expect(peak - before).toBeLessThan(big.length / 2);
  }, 60_000);
});
