import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';
import { isProcessAlive } from './process-alive.ts';
import { resolveRedis } from './redis.ts';
import { pingRedis } from './redis-ping.ts';
import { spawnRedisServer } from './redis-server.ts';

describe('resolveRedis', () => {
  let tmp: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'imagegate-redis-test-'));
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('uses the Redis already listening on 127.0.0.1:6379', async () => {
    const redis = await resolveRedis({ dataDir: join(tmp, 'unused') });
    expect(redis).toMatchObject({ url: 'redis://127.0.0.1:6379', source: 'local' });
    await redis.stop();
    await pingRedis(redis.url, 500);
  });

  it('uses an explicit url that answers', async () => {
    const redis = await resolveRedis({ url: 'redis://127.0.0.1:6379/3', dataDir: join(tmp, 'unused') });
    expect(redis.source).toBe('env');
  });

  it('fails clearly when the explicit url does not answer, without trying anything else', async () => {
    const port = await freePort();
    await expect(
      resolveRedis({ url: `redis://:hunter2@127.0.0.1:${port}`, dataDir: join(tmp, 'unused') }),
    ).rejects.toThrow(new RegExp(`Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}.*did not answer PING`));
  });

  it('spawns redis-server when nothing answers locally', async () => {
    const port = await freePort();
    const redis = await resolveRedis({ dataDir: join(tmp, 'spawned'), localUrl: `redis://127.0.0.1:${port}` });
    try {
      expect(redis.source).toBe('spawned');
      await pingRedis(redis.url, 500);
    } finally {
      await redis.stop();
    }
  });

  it('names both fixes when there is no Redis and no redis-server', async () => {
    const port = await freePort();
    await expect(
      resolveRedis({
        dataDir: join(tmp, 'none'),
        localUrl: `redis://127.0.0.1:${port}`,
        redisServerCommand: 'imagegate-no-such-redis-server',
      }),
    ).rejects.toThrow(
      /set REDIS_URL to a reachable Redis, or install redis-server \(e\.g\. apt-get install redis-server\)/,
    );
  });
});

describe('spawnRedisServer', () => {
  let tmp: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'imagegate-redis-spawn-test-'));
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('answers PING, persists with appendonly across restarts, and stop() kills it', async () => {
    const dataDir = join(tmp, 'data');
    const port = await freePort();
    const first = await spawnRedisServer({ dataDir, port });
    expect(first.url).toBe(`redis://127.0.0.1:${port}`);
    await pingRedis(first.url, 500);
    const client = new Redis(first.url);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    await client.set('imagegate:test', 'kept');
    client.disconnect();
    await expect(spawnRedisServer({ dataDir })).rejects.toThrow(/still using/);
    await first.stop();
    await first.stop();
    expect(isProcessAlive(first.pid)).toBe(false);
    await expect(pingRedis(first.url, 300)).rejects.toThrow();

    const second = await spawnRedisServer({ dataDir });
    try {
      const again = new Redis(second.url);
      expect(await again.get('imagegate:test')).toBe('kept');
      again.disconnect();
      await stat(join(dataDir, 'appendonlydir'));
    } finally {
      await second.stop();
    }
  });
});
