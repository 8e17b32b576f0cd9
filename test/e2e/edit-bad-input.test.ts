import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng, leftHalfMask, opaquePng } from '../support/edit-images.ts';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * Edits refused for their inputs: each answers 4xx with the envelope and the offending part's
 * `param`, creates no job, holds nothing, and leaves no object in the store.
 */

let stack: TestStack;
let account: TestAccount;
let png: Buffer;

beforeAll(async () => {
  stack = await startTestStack({ env: { WEBHOOK_ALLOW_HOSTS: '' } });
  account = await stack.createAccount('edit bad input', 5);
  png = await gradientPng(256, 256);
});
afterAll(async () => {
  await stack?.stop();
});

type Part = { name: string; bytes: Buffer; filename?: string; type?: string } | { name: string; value: string };

/** A multipart body written by hand, so a test can break it (or make it 60 MiB) exactly as it likes. */
function multipart(parts: Part[], boundary = 'imagegate-test-boundary'): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename ?? 'x.png'}"\r\nContent-Type: ${part.type ?? 'image/png'}\r\n\r\n`,
        ),
        part.bytes,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * Posts a raw body over node:http and reads the answer even when the server answers before the
 * body is all sent (as it does past a size limit) and closes the connection.
 */
function post(body: Buffer, contentType: string): Promise<{ status: number; body: ErrorEnvelope; close: boolean }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${stack.baseURL}/images/edits`);
    const outgoing = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${account.apiKey}`,
          'content-type': contentType,
          'content-length': body.length,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()) as ErrorEnvelope,
            close: response.headers.connection === 'close',
          }),
        );
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while the rest of a refused body is still being written.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    // In pieces, so a refusal partway through is seen as it would be from a real client.
    const piece = 1024 * 1024;
    let at = 0;
    const writeMore = () => {
      while (at < body.length) {
        const ok = outgoing.write(body.subarray(at, at + piece));
        at += piece;
        if (!ok) {
          outgoing.once('drain', writeMore);
          return;
        }
      }
      outgoing.end();
    };
    writeMore();
  });
}

const fields = (extra: Record<string, string> = {}): Part[] =>
  Object.entries({ prompt: 'edit it', model: 'gpt-image-2', ...extra }).map(([name, value]) => ({ name, value }));

const CASES: {
  name: string;
  body: () => Promise<Buffer>;
  contentType?: string;
  status: number;
  param: string | null;
}[] = [
  { name: 'no image', body: async () => multipart(fields()), status: 400, param: 'image' },
  {
    name: '17 images',
    body: async () => multipart([...Array.from({ length: 17 }, () => ({ name: 'image[]', bytes: png })), ...fields()]),
    status: 400,
    param: 'image[16]',
  },
  {
    name: '5 images for a model that takes 4',
    body: async () =>
      multipart([
        ...Array.from({ length: 5 }, () => ({ name: 'image[]', bytes: png })),
        ...fields({ model: 'flux-kontext-pro' }),
      ]),
    status: 400,
    param: 'image[4]',
  },
  {
    name: 'a text file named x.png',
    body: async () =>
      multipart([
        { name: 'image', bytes: Buffer.from('just some text, not a picture'), filename: 'x.png' },
        ...fields(),
      ]),
    status: 400,
    param: 'image[0]',
  },
  {
    name: 'a truncated PNG',
    body: async () => multipart([{ name: 'image', bytes: png.subarray(0, 40) }, ...fields()]),
    status: 400,
    param: 'image[0]',
  },
  {
    name: 'a mask of another size',
    body: async () =>
      multipart([{ name: 'image', bytes: png }, { name: 'mask', bytes: await leftHalfMask(128, 128) }, ...fields()]),
    status: 400,
    param: 'mask',
  },
  {
    name: 'a mask without alpha',
    body: async () =>
      multipart([{ name: 'image', bytes: png }, { name: 'mask', bytes: await opaquePng(256, 256) }, ...fields()]),
    status: 400,
    param: 'mask',
  },
  {
    name: 'a 60 MiB part',
    body: async () =>
      multipart([{ name: 'image', bytes: Buffer.concat([png, Buffer.alloc(60 * 1024 * 1024)]) }, ...fields()]),
    status: 413,
    param: 'image[0]',
  },
  {
    name: 'a broken multipart boundary',
    body: async () => multipart([{ name: 'image', bytes: png }, ...fields()]).subarray(0, 200),
    status: 400,
    param: null,
  },
  {
    name: 'an image URL pointing at a private address',
    contentType: 'application/json',
    body: async () =>
      Buffer.from(
        JSON.stringify({
          model: 'gpt-image-2',
          prompt: 'x',
          images: [{ image_url: 'https://169.254.169.254/latest/meta-data' }],
        }),
      ),
    status: 400,
    param: 'images[0].image_url',
  },
  {
    name: 'an unknown model field with a valid image',
    body: async () => multipart([{ name: 'image', bytes: png }, ...fields({ sizee: '1024x1024' })]),
    status: 400,
    param: 'sizee',
  },
];

describe('edits refused for their inputs', () => {
  it.each(CASES)('$name: $status on $param, no job, no hold, no object', async (testCase) => {
    const before = await stack.store.listKeys('jobs/');
    const answer = await post(
      await testCase.body(),
      testCase.contentType ?? 'multipart/form-data; boundary=imagegate-test-boundary',
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(testCase.status);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param: testCase.param });
    expect(answer.body.error.message.length).toBeGreaterThan(0);
    const { rows } = await stack.database.pool.query<{ count: bigint }>(
      'select count(*) from jobs where account_id = $1',
      [account.accountId],
    );
    expect(rows[0]?.count).toBe(0n);
    const money = await callJson<{ held_usd: number; balance_usd: number }>(`${stack.baseURL}/account`, {
      apiKey: account.apiKey,
    });
    expect(money.body).toMatchObject({ held_usd: 0, balance_usd: 5 });
    expect((await stack.store.listKeys('jobs/')).sort()).toEqual(before.sort());
  });

  it('refuses an edit the balance cannot cover (402) after storing its inputs, and leaves none behind', async () => {
    const before = await stack.store.listKeys('jobs/');
    const answer = await post(
      multipart([
        { name: 'image', bytes: png },
        ...fields({ model: 'gpt-image-2.6-sunburst', quality: 'max', n: '10' }),
      ]),
      'multipart/form-data; boundary=imagegate-test-boundary',
    );
    expect(answer.status).toBe(402);
    expect(answer.body.error.code).toBe('insufficient_balance');
    expect((await stack.store.listKeys('jobs/')).sort()).toEqual(before.sort());
  });

  it('closes the connection after refusing a multipart body it did not read to the end', async () => {
    const answer = await post(
      multipart([{ name: 'image', bytes: Buffer.concat([png, Buffer.alloc(60 * 1024 * 1024)]) }, ...fields()]),
      'multipart/form-data; boundary=imagegate-test-boundary',
    );
    expect(answer.status).toBe(413);
    expect(answer.close).toBe(true);
  });
});
