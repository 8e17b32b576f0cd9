import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { createObjectStore } from './object-store.ts';
import { createGetPresigner, type SigningCredentials } from './presign-get.ts';
import { objectUrlPrefix } from './s3-endpoint.ts';

const KEYS = [
  'plain.png',
  'with space/and more spaces.png',
  'ünïcødé/日本語/画像 1.webp',
  'gen/2024/05/06/0190f6a2-7c1e-7000-8000-000000000000.png',
  'odd/~!*()\'+=&?#@$,;:[]{}|^`"<>%.png',
  '/leading//double-slash/',
  'emoji-🖼️.jpg',
];

interface Case {
  name: string;
  region: string;
  bucket: string;
  endpoint?: string;
  forcePathStyle?: boolean;
}

const CASES: Case[] = [
  { name: 's3rver path style', region: 'us-east-1', bucket: 'images', endpoint: 'http://127.0.0.1:4568' },
  { name: 'endpoint with path', region: 'us-east-1', bucket: 'images', endpoint: 'http://127.0.0.1:4568/s3/' },
  { name: 'https default port', region: 'auto', bucket: 'images', endpoint: 'https://acct.r2.example.com:443' },
  {
    name: 'custom endpoint, virtual host',
    region: 'us-east-1',
    bucket: 'images',
    endpoint: 'http://minio.local:9000',
    forcePathStyle: false,
  },
  { name: 'AWS us-east-1', region: 'us-east-1', bucket: 'my-images' },
  { name: 'AWS eu-west-1', region: 'eu-west-1', bucket: 'my-images' },
  { name: 'AWS dotted bucket', region: 'eu-west-1', bucket: 'my.images' },
  { name: 'AWS China', region: 'cn-north-1', bucket: 'my-images' },
  { name: 'AWS forced path style', region: 'ap-southeast-2', bucket: 'my-images', forcePathStyle: true },
];

const DATES = [new Date('2024-05-06T07:08:09.123Z'), new Date('2031-12-31T23:59:59Z')];

async function sdkUrl(c: Case, creds: SigningCredentials, key: string, ttl: number, when: Date): Promise<string> {
  const client = new S3Client({
    region: c.region,
    endpoint: c.endpoint,
    forcePathStyle: c.forcePathStyle ?? c.endpoint !== undefined,
    credentials: creds,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    return await getSignedUrl(client, new GetObjectCommand({ Bucket: c.bucket, Key: key }), {
      expiresIn: ttl,
      signingDate: when,
    });
  } finally {
    client.destroy();
  }
}

describe('createGetPresigner', () => {
  const creds: SigningCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY' };
  const temporary: SigningCredentials = { ...creds, sessionToken: 'FQoGZXIvYXdzE+/token==' };

  for (const c of CASES) {
    it(`matches @aws-sdk/s3-request-presigner byte for byte: ${c.name}`, async () => {
      const presigner = createGetPresigner(
        objectUrlPrefix({
          endpoint: c.endpoint,
          region: c.region,
          bucket: c.bucket,
          forcePathStyle: c.forcePathStyle ?? c.endpoint !== undefined,
        }),
        c.region,
      );
      for (const key of KEYS) {
        for (const when of DATES) {
          for (const [ttl, credentials] of [
            [1, creds],
            [3600, temporary],
            [604_800, creds],
          ] as const) {
            expect(presigner.presign(key, credentials, ttl, when)).toBe(await sdkUrl(c, credentials, key, ttl, when));
          }
        }
      }
    });
  }

  it('rejects expiries outside 1 s .. 7 days and empty keys', () => {
    const presigner = createGetPresigner('http://127.0.0.1:4568/images', 'us-east-1');
    expect(() => presigner.presign('k', creds, 604_801)).toThrow(/ttlSeconds/);
    expect(() => presigner.presign('k', creds, 0)).toThrow(/ttlSeconds/);
    expect(() => presigner.presign('k', creds, 1.5)).toThrow(/ttlSeconds/);
    expect(() => presigner.presign('', creds, 60)).toThrow(/empty/);
  });

  it('presigns through publicEndpoint while the client talks to endpoint', async () => {
    const store = createObjectStore({
      endpoint: 'http://s3rver.internal:4568',
      publicEndpoint: 'https://cdn.example.com',
      region: 'us-east-1',
      bucket: 'images',
      ...creds,
    });
    const when = DATES[0] ?? new Date();
    const expected = await sdkUrl(
      { name: 'public', region: 'us-east-1', bucket: 'images', endpoint: 'https://cdn.example.com' },
      creds,
      'a b.png',
      60,
      when,
    );
    expect(store.presignGet('a b.png', 60, when)).toBe(expected);
    store.close();
  });
});
