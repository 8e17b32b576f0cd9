import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadEmbeddedPostgres } from './load-embedded-postgres.ts';
import type { LocalLogger } from './logger.ts';
import { isProcessAlive, waitForProcessExit } from './process-alive.ts';

/** What `bootPostgres` needs; the data dir must already be prepared (owned by the right user). */
export interface BootPostgresOptions {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  /** Run initdb first (the data dir is empty). */
  initialise: boolean;
  /** When root: embedded-postgres spawns initdb/postgres as the `postgres` user. */
  asPostgresUser: boolean;
  /** ms */
  startTimeoutMs: number;
  logger?: LocalLogger;
}

/** A postmaster process that accepts connections. */
export interface BootedPostgres {
  pid: number;
  /** Fast shutdown (SIGINT); resolves when the process is gone. Idempotent. */
  stop(): Promise<void>;
}

/** Startup failure carrying the server's last log lines. */
export class PostgresStartError extends Error {
  /** The port was taken, so retrying on another one can help. */
  readonly portInUse: boolean;

  constructor(message: string, portInUse: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PostgresStartError';
    this.portInUse = portInUse;
  }
}

const LOG_TAIL_LINES = 40;

/** Runs initdb if asked, then starts the server with embedded-postgres and waits until it is ready. */
export async function bootPostgres(options: BootPostgresOptions): Promise<BootedPostgres> {
  const { dataDir, port, logger } = options;
  const tail: string[] = [];
  const onLog = (message: unknown) => {
    for (const line of String(message).split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      if (/\b(FATAL|PANIC|ERROR):/.test(line)) logger?.warn({ dataDir, line }, 'postgres');
    }
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: options.user,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // UTF8 with the C locale: independent of the locales installed on the machine.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // An empty unix_socket_directories avoids needing a writable /var/run/postgresql.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    createPostgresUser: options.asPostgresUser,
    onLog,
    onError: onLog,
  });

  if (options.initialise) {
    logger?.info({ dataDir }, 'initialising a new PostgreSQL cluster');
    try {
      await server.initialise();
    } catch (err) {
      throw new PostgresStartError(`initdb failed in ${dataDir}:\n${tail.join('\n')}`, false, { cause: err });
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    await Promise.race([
      server.start(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error(`not ready after ${options.startTimeoutMs} ms`));
        }, options.startTimeoutMs);
      }),
    ]);
  } catch (err) {
    // Only a timed-out server is still alive: after an early exit the library's stop() would
    // wait forever for an 'exit' event that has already been emitted.
    if (timedOut) await server.stop();
    const log = tail.join('\n');
    throw new PostgresStartError(
      `PostgreSQL failed to start on 127.0.0.1:${port} with data in ${dataDir}:\n${log}`,
      /could not create any TCP\/IP sockets/.test(log),
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }

  // The postmaster's pid lets stop() tell a live server from one that already died (the library
  // would again wait forever) and lets the exit hook shut it down when this process ends
  // without calling stop().
  const pid = Number.parseInt((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
  const killOnExit = () => {
    if (isProcessAlive(pid)) process.kill(pid, 'SIGINT');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  return {
    pid,
    stop() {
      stopping ??= (async () => {
        process.off('exit', killOnExit);
        if (isProcessAlive(pid)) await server.stop();
        await waitForProcessExit(pid, 15_000);
      })();
      return stopping;
    },
  };
}
