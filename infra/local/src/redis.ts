import { redactUrlPassword } from '@imagegate/core';
import type { LocalLogger } from './logger.ts';
import { pingRedis } from './redis-ping.ts';
import { RedisServerNotFoundError, spawnRedisServer } from './redis-server.ts';

/** Options for `resolveRedis`. */
export interface ResolveRedisOptions {
  /** Explicit Redis (usually REDIS_URL). When set, it must answer; nothing else is tried. */
  url?: string;
  /** Where a spawned redis-server keeps its data. */
  dataDir: string;
  logger?: LocalLogger;
  /** Probed when `url` is unset. Default `redis://127.0.0.1:6379`. */
  localUrl?: string;
  /** Executable spawned as the last resort. Default `redis-server` (from PATH). */
  redisServerCommand?: string;
}

/** The Redis to use and how it was found. */
export interface ResolvedRedis {
  url: string;
  /** `env`: the given url; `local`: already running on localUrl; `spawned`: started by us. */
  source: 'env' | 'local' | 'spawned';
  /** Stops the server only when we spawned it. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_LOCAL_URL = 'redis://127.0.0.1:6379';
const EXPLICIT_TIMEOUT_MS = 3_000;
const LOCAL_PROBE_TIMEOUT_MS = 500;
const FIXES = 'set REDIS_URL to a reachable Redis, or install redis-server (e.g. apt-get install redis-server)';

const nothingToStop = async (): Promise<void> => {};

/**
 * Finds a Redis: the explicit `url` (must answer PING), else one already on localhost:6379,
 * else a `redis-server` spawned from PATH on a free port with append-only persistence in `dataDir`.
 */
export async function resolveRedis(options: ResolveRedisOptions): Promise<ResolvedRedis> {
  const { logger } = options;
  if (options.url !== undefined && options.url !== '') {
    try {
      await pingRedis(options.url, EXPLICIT_TIMEOUT_MS);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(
        `Redis at ${redactUrlPassword(options.url)} (REDIS_URL) did not answer PING: ${reason}. ` +
          'Check that it is running and reachable, or unset REDIS_URL to use or start a local one',
        { cause: err },
      );
    }
    return { url: options.url, source: 'env', stop: nothingToStop };
  }

  const localUrl = options.localUrl ?? DEFAULT_LOCAL_URL;
  const localError = await pingRedis(localUrl, LOCAL_PROBE_TIMEOUT_MS).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (localError === undefined) {
    return { url: localUrl, source: 'local', stop: nothingToStop };
  }
  logger?.info({ localUrl }, 'no Redis answering locally; spawning redis-server');

  try {
    const spawned = await spawnRedisServer({
      dataDir: options.dataDir,
      command: options.redisServerCommand,
      logger,
    });
    return { url: spawned.url, source: 'spawned', stop: spawned.stop };
  } catch (err) {
    if (err instanceof RedisServerNotFoundError) {
      throw new Error(`No Redis available: nothing answered at ${localUrl} and redis-server is not on PATH; ${FIXES}`, {
        cause: err,
      });
    }
    throw new Error(`No Redis available: nothing answered at ${localUrl} and spawning redis-server failed; ${FIXES}`, {
      cause: err,
    });
  }
}
