/**
 * The pieces a benchmark starts around imagegate: a scratch database (migrated, one funded account
 * and key), a Redis prefix, and forked hosts (bench/lib/host.ts) for imagegate (in one process or
 * split like compose), the naive baseline, the peer gateway and the upstreams. Everything is
 * removed by `close()`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApiKey, generateSecretKey } from '@imagegate/core';
import { createAccountWithGrant, createPool, insertApiKey, migrate, type Pool } from '@imagegate/db';
import { freePort } from '@imagegate/local';
import { createRedisConnection, deleteKeysWithPrefix } from '@imagegate/queue';
import { createObjectStore } from '@imagegate/storage';
import pg from 'pg';
import type { HostMessage, HostMode, ParentMessage } from './host.ts';
import { CLEAR_PATH } from './memory-s3.ts';
import { pin } from './pinning.ts';
import type { StoreName, TopologyName } from './sync-matrix.ts';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const hostLog = process.env.BENCH_HOST_LOG;

export interface Host {
  url: string;
  pid: number;
  s3?: { endpoint: string; accessKeyId: string; secretAccessKey: string } | undefined;
  /** RSS now and event-loop delay since the last reset (reset after reading when `reset`; `gc` first). */
  sample(options?: {
    reset?: boolean;
    gc?: boolean;
  }): Promise<{ rssBytes: number; eventLoopP99Ms: number; eventLoopMaxMs: number; cpuMs: number }>;
  stop(): Promise<void>;
}

/**
 * Forks bench/lib/host.ts in `mode`, pinned to `cpu` when given; `detached` gives it a process group
 * of its own (a gateway under measurement). It exits when this process goes, detached or not.
 */
export async function startHost(
  mode: HostMode,
  options: { cpu?: number | undefined; env?: Record<string, string>; argument?: unknown; detached?: boolean } = {},
): Promise<Host> {
  const child: ChildProcess = fork(
    new URL('./host.ts', import.meta.url).pathname,
    [mode, ...(options.argument === undefined ? [] : [JSON.stringify(options.argument)])],
    {
      env: { ...process.env, ...options.env },
      detached: options.detached ?? false,
      // BENCH_HOST_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=.bench-prof`, to see where a host's time goes.
      execArgv: ['--expose-gc', ...(process.env.BENCH_HOST_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
      stdio: ['ignore', hostLog === undefined ? 'ignore' : openSync(hostLog, 'a'), 'inherit', 'ipc'],
    },
  );
  const pid = child.pid ?? 0;
  if (options.cpu !== undefined) pin(pid, options.cpu);
  const next = () =>
    new Promise<HostMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench host '${mode}' exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message: HostMessage) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`bench host '${mode}' sent ${ready.type} before ready`);
  const ask = (message: ParentMessage) => child.send(message);
  return {
    url: ready.url,
    pid,
    s3: ready.s3,
    async sample({ reset = false, gc = false } = {}) {
      const answer = next();
      ask({ type: 'sample', reset, gc });
      const message = await answer;
      if (message.type !== 'sample') throw new Error(`bench host '${mode}' answered ${message.type}`);
      return message;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      ask({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Scratch {
  databaseUrl: string;
  pool: Pool;
  redisPrefix: string;
  /** An API key of an account with $1M of credit. */
  apiKey: string;
  postgresVersion: string;
  redisVersion: string;
  close(): Promise<void>;
}

/** A migrated database of its own with one funded account, and a Redis prefix of its own. */
export async function createScratch(): Promise<Scratch> {
  const database = `imagegate_bench_${randomBytes(4).toString('hex')}`;
  const redisPrefix = `bench-${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const pool = createPool(url.toString(), { max: 4 });
  const redis = createRedisConnection(REDIS_URL);
  const close = async () => {
    await pool.end().catch(() => {});
    await deleteKeysWithPrefix(redis, redisPrefix).catch(() => {});
    redis.disconnect();
    await admin.query(`drop database if exists ${database} with (force)`).catch(() => {});
    await admin.end();
  };
  try {
    await migrate(pool);
    const account = await createAccountWithGrant(pool, {
      name: 'bench',
      starterMicros: 10n ** 12n,
    });
    const key = generateApiKey();
    await insertApiKey(pool, { accountId: account.id, name: 'bench', prefix: key.prefix, keyHash: key.hash });
    const { rows } = await pool.query<{ server_version: string }>('show server_version');
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    return {
      databaseUrl: url.toString(),
      pool,
      redisPrefix,
      apiKey: key.key,
      postgresVersion: rows[0]?.server_version ?? 'unknown',
      redisVersion,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A gateway whose CPU time is measured runs nothing of the harness's own but its IPC (host.ts). */
const UNMONITORED = { BENCH_EVENT_LOOP_MONITOR: 'off' };

/** A running imagegate: its URL and the processes whose CPU is its own. */
export interface Deployment {
  store: StoreName;
  topology: TopologyName;
  url: string;
  /** Root of each process tree the deployment runs in (one, or one per service when split). */
  pids: number[];
  stop(): Promise<void>;
}

/** A fresh directory `<repo>/.data/bench/<name>-…`: on the disk `./imagegate.sh start` keeps images on. */
function benchDirectory(name: string): string {
  const parent = fileURLToPath(new URL('../../.data/bench/', import.meta.url));
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(`${parent}${name}-`);
}

/** Removes everything in `directory`, not the directory. */
function empty(directory: string): void {
  for (const entry of readdirSync(directory)) rmSync(join(directory, entry), { recursive: true, force: true });
}

/** Upstreams (emulator + s3rver) on cpu 1 when pinned, and a way to start imagegate hosts on cpu 0. */
export async function startImagegateStack(options: {
  latencyMs: number;
  imageBytes: number;
  pinned: boolean;
}): Promise<{
  scratch: Scratch;
  upstreams: Host;
  emulatorKey: string;
  /**
   * Starts an imagegate host wired to these upstreams (stopped by `close()` unless stopped before);
   * `env` overrides or adds to its environment (e.g. `WORKER_CONCURRENCY`); `store` (default `s3`)
   * picks the image store as `startDeployment` does.
   */
  startImagegate(env?: Record<string, string>, store?: StoreName): Promise<Host>;
  /**
   * Starts imagegate on `store` in `topology`, each process in a process group of its own on cpu 0
   * when pinned: `one-process` is ingress, provider worker and settlement worker in one process (as
   * `./imagegate.sh start` runs them), `split` one process each (as docker-compose.yml does).
   */
  startDeployment(options: { store: StoreName; topology: TopologyName }): Promise<Deployment>;
  /** The peer gateway (`@portkey-ai/gateway`) in a process group of its own, on cpu 0 when pinned. */
  startPortkey(): Promise<Host>;
  /** The S3 bucket imagegate writes to, for the floor's plain PUTs. */
  bucket: { endpoint: string; name: string };
  /**
   * The directory of the floor's file writes, beside the default store's (each a fresh one under
   * `.data/bench`, made on first use, removed by `close()`).
   */
  floorDirectory(): string;
  /**
   * Drops every image written so far, to the S3 stand-in, the default store and the floor's
   * directory: between passes, so a long run's images pile up neither in memory nor on disk.
   */
  clearStores(): Promise<void>;
  close(): Promise<void>;
}> {
  const scratch = await createScratch();
  const hosts: Host[] = [];
  const directories: Partial<Record<'images' | 'floor', string>> = {};
  const directory = (name: 'images' | 'floor') => {
    directories[name] ??= benchDirectory(name);
    return directories[name];
  };
  const close = async () => {
    for (const host of hosts.reverse()) await host.stop().catch(() => {});
    await scratch.close();
    for (const made of Object.values(directories)) rmSync(made, { recursive: true, force: true });
  };
  try {
    const upstreams = await startHost('upstreams', {
      cpu: options.pinned ? 1 : undefined,
      argument: { latencyMs: options.latencyMs, imageBytes: options.imageBytes },
    });
    hosts.push(upstreams);
    const s3 = upstreams.s3;
    if (s3 === undefined) throw new Error('the upstreams host did not report S3');
    const bucket = `bench-${randomBytes(4).toString('hex')}`;
    const store = createObjectStore({ ...s3, region: 'us-east-1', bucket });
    await store.ensureBucket();
    store.close();
    const emulatorKey = 'sk-emulator';
    const env = {
      DATABASE_URL: scratch.databaseUrl,
      DATABASE_POOL_SIZE: '32',
      REDIS_URL,
      REDIS_PREFIX: scratch.redisPrefix,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_BUCKET: bucket,
      IMAGE_STORE: 's3',
      IMAGEGATE_SECRET_KEY: generateSecretKey(),
      OPENAI_API_KEY: emulatorKey,
      OPENAI_BASE_URL: upstreams.url,
      WORKER_PROVIDERS: 'openai',
      // The hot-path figures measure imagegate, not a provider's rate limit (the rate-limit figure sets
      // its own): far above any rate a figure offers, whatever the defaults for a new account are.
      PROVIDER_LIMITS: 'openai=1000000rpm/1000/1000000',
      PORT: '0',
      HOST: '127.0.0.1',
      // BENCH_LOG_LEVEL=info (with BENCH_HOST_LOG=<file> for the host's stdout) to read imagegate's logs.
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    };
    const gatewayCpu = options.pinned ? 0 : undefined;
    /** The store's part of the environment; the local store's URLs name the ingress's port, chosen here first (as `start` does). */
    const storeEnv = async (store: StoreName): Promise<Record<string, string>> => {
      if (store === 's3') return {};
      const port = await freePort();
      return {
        IMAGE_STORE: 'local',
        IMAGE_STORE_DIR: directory('images'),
        IMAGE_URL_SECRET: randomBytes(32).toString('hex'),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        PORT: String(port),
      };
    };
    const startImagegate = async (overrides: Record<string, string> = {}, store: StoreName = 's3') => {
      const host = await startHost('imagegate', {
        cpu: gatewayCpu,
        env: { ...env, ...(await storeEnv(store)), ...overrides },
      });
      hosts.push(host);
      return host;
    };
    const startDeployment = async (deployment: { store: StoreName; topology: TopologyName }): Promise<Deployment> => {
      const deploymentEnv = {
        ...env,
        PORT: String(await freePort()),
        ...(await storeEnv(deployment.store)),
        ...UNMONITORED,
      };
      const modes: HostMode[] =
        deployment.topology === 'one-process' ? ['imagegate'] : ['provider-worker', 'settlement-worker', 'ingress'];
      const started: Host[] = [];
      const stop = async () => {
        for (const host of started.reverse()) await host.stop().catch(() => {});
      };
      try {
        for (const mode of modes) {
          const host = await startHost(mode, { cpu: gatewayCpu, env: deploymentEnv, detached: true });
          started.push(host);
          hosts.push(host);
        }
      } catch (error) {
        await stop();
        throw error;
      }
      return {
        ...deployment,
        url: started.at(-1)?.url ?? '',
        pids: started.map((host) => host.pid),
        stop,
      };
    };
    const startPortkey = async () => {
      const host = await startHost('portkey', {
        cpu: gatewayCpu,
        env: { NODE_ENV: 'production', ...UNMONITORED },
        argument: { port: await freePort() },
        detached: true,
      });
      hosts.push(host);
      return host;
    };
    return {
      scratch,
      upstreams,
      emulatorKey,
      bucket: { endpoint: s3.endpoint, name: bucket },
      floorDirectory: () => directory('floor'),
      clearStores: async () => {
        // s3rver (BENCH_S3=s3rver) has no such call, and keeps its objects on disk.
        await fetch(`${s3.endpoint}${CLEAR_PATH}`, { method: 'DELETE' }).catch(() => {});
        for (const made of Object.values(directories)) empty(made);
      },
      startImagegate,
      startDeployment,
      startPortkey,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
