import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, pingRedis } from '@imagegate/local';
import { createRedisConnection, deleteKeysWithPrefix } from '@imagegate/queue';

const REDIS_SERVER = '/usr/bin/redis-server';

/**
 * A Redis a chaos test may flush and restart without harming anyone: a redis-server of its own
 * (no persistence, so a restart loses everything, as a crashed cache node would). Without the
 * binary it falls back to the shared Redis, where "flush" deletes only the test's prefix and
 * "restart" is not possible (`restartable` is false).
 */
export interface OwnRedis {
  url: string;
  restartable: boolean;
  /** Loses every key (own server) or every key under `prefix` (shared server). */
  flush(prefix: string): Promise<void>;
  /** Kills the server and starts a new, empty one on the same port after `downMs`. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnRedis(sharedUrl: string): Promise<OwnRedis> {
  if (!existsSync(REDIS_SERVER)) {
    return {
      url: sharedUrl,
      restartable: false,
      async flush(prefix) {
        const redis = createRedisConnection(sharedUrl);
        await deleteKeysWithPrefix(redis, prefix);
        redis.disconnect();
      },
      async restart() {},
      async stop() {},
    };
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server = await spawnServer(port, url);
  return {
    url,
    restartable: true,
    async flush() {
      const redis = createRedisConnection(url);
      await redis.flushall(); // this server is the test's alone
      redis.disconnect();
    },
    async restart(downMs) {
      await kill(server);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await spawnServer(port, url);
    },
    async stop() {
      await kill(server);
    },
  };
}

async function spawnServer(port: number, url: string): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await pingRedis(url, 500);
      return child;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
