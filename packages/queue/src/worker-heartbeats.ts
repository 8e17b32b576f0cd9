import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { workerHeartbeatKey } from './queue-names.ts';
import type { Redis } from './redis-connection.ts';

/** A worker that has not beaten for this long is taken for gone (it beats every 10 s). */
export const WORKER_HEARTBEAT_TTL_MS = 30_000;

/** Which workers serve `provider`, each with when it last beat: a sorted set, worker id → unix ms. */
export function workersSeenKey(prefix: string, provider: string): string {
  return `${prefix}:workers:${provider}:seen`;
}

/** One worker process's name in the heartbeats: its host and pid, and a tag for each start. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

// Per provider: "someone serves this queue" (what ingress admission checks), and this worker's
// entry in the provider's set, whose entries older than the TTL are dropped. Timed by Redis's clock.
const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i = 1, #KEYS, 2 do
  redis.call('SET', KEYS[i], '1', 'PX', ttl)
  redis.call('ZADD', KEYS[i + 1], now, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i + 1], '-inf', now - ttl)
  redis.call('PEXPIRE', KEYS[i + 1], ttl)
end
return 0
`;

const SEEN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf', 'WITHSCORES')
`;

/** A worker's heartbeat for every provider it serves. */
export async function beatWorkerHeartbeat(
  redis: Redis,
  prefix: string,
  workerId: string,
  providers: readonly string[],
): Promise<void> {
  if (providers.length === 0) return;
  const keys = providers.flatMap((provider) => [
    workerHeartbeatKey(prefix, provider),
    workersSeenKey(prefix, provider),
  ]);
  await redis.eval(BEAT, keys.length, ...keys, workerId, WORKER_HEARTBEAT_TTL_MS);
}

/** Stops claiming `providers` for this worker (it is shutting down); the others' heartbeats stand. */
export async function endWorkerHeartbeat(
  redis: Redis,
  prefix: string,
  workerId: string,
  providers: readonly string[],
): Promise<void> {
  const pipeline = redis.pipeline();
  for (const provider of providers) pipeline.zrem(workersSeenKey(prefix, provider), workerId);
  await pipeline.exec();
}

export interface WorkerSeen {
  id: string;
  /** Unix seconds of its last heartbeat. */
  lastSeenAt: number;
}

/** The workers that beat for `provider` within the TTL, most recently seen first. */
export async function readWorkersSeen(redis: Redis, prefix: string, provider: string): Promise<WorkerSeen[]> {
  const flat = (await redis.eval(SEEN, 1, workersSeenKey(prefix, provider), WORKER_HEARTBEAT_TTL_MS)) as string[];
  const seen: WorkerSeen[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    seen.push({ id: String(flat[i]), lastSeenAt: Math.floor(Number(flat[i + 1]) / 1000) });
  }
  return seen.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}
