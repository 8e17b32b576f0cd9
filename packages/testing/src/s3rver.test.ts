import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectStore } from '@imagegate/storage';
import { describe, expect, it } from 'vitest';
import { startS3rver } from './s3rver.ts';

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

describe('startS3rver', () => {
  it('serves the object store, including presigned GETs, and stops', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'imagegate-s3rver-test-'));
    const s3 = await startS3rver({ dataDir: join(tmp, 's3') });
    const port = Number(new URL(s3.endpoint).port);
    const store = createObjectStore({ ...s3, bucket: 'images' });
    try {
      await store.ensureBucket();
      const body = Buffer.from('not really a png');
      await store.putObject('gen/a b.png', body, { contentType: 'image/png' });
      const response = await fetch(store.presignGet('gen/a b.png', 60));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      store.close();
      await s3.stop();
      await s3.stop();
      await rm(tmp, { recursive: true, force: true });
    }
    expect(await isPortFree(port)).toBe(true);
  });

  it('keeps objects in dataDir across restarts', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'imagegate-s3rver-test-'));
    try {
      const first = await startS3rver({ dataDir: tmp });
      const writer = createObjectStore({ ...first, bucket: 'images' });
      await writer.ensureBucket();
      await writer.putObject('kept.txt', Buffer.from('kept'), { contentType: 'text/plain' });
      writer.close();
      await first.stop();

      const second = await startS3rver({ dataDir: tmp });
      const reader = createObjectStore({ ...second, bucket: 'images' });
      const { stream } = await reader.getObjectStream('kept.txt');
      expect((await stream.toArray()).join('')).toBe('kept');
      reader.close();
      await second.stop();
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
