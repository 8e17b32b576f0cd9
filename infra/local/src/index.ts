export {
  EMBEDDED_POSTGRES_DATABASE,
  EMBEDDED_POSTGRES_PASSWORD,
  EMBEDDED_POSTGRES_USER,
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
export { freePort, isPortFree } from './free-port.ts';
export type { LocalLogger } from './logger.ts';
export { type ResolvedRedis, type ResolveRedisOptions, resolveRedis } from './redis.ts';
export { pingRedis } from './redis-ping.ts';
export {
  RedisServerNotFoundError,
  type SpawnedRedis,
  type SpawnRedisOptions,
  spawnRedisServer,
} from './redis-server.ts';
