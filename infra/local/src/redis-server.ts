import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodeOf } from '@imagegate/core';
import { freePort } from './free-port.ts';
import type { LocalLogger } from './logger.ts';
import { isProcessAlive } from './process-alive.ts';
import { pingRedis } from './redis-ping.ts';

/** Options for `spawnRedisServer`. */
export interface SpawnRedisOptions {
  /** Working dir: append-only file, RDB snapshot and pid file live here. Created if missing. */
  dataDir: string;
  /** Port on 127.0.0.1. Default: a free one. */
  port?: number;
  /** Executable, looked up on PATH. Default `redis-server`. */
  command?: string;
  logger?: LocalLogger;
  /** Give up when it does not answer PING after this long, in ms. Default 10000. */
  startTimeoutMs?: number;
}

/** A redis-server child process. */
export interface SpawnedRedis {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM (Redis then flushes its append-only file), SIGKILL after 10 s. Idempotent. */
  stop(): Promise<void>;
}

/** Thrown when the executable does not exist, so callers can suggest installing it. */
export class RedisServerNotFoundError extends Error {
  readonly code = 'REDIS_SERVER_NOT_FOUND';
}

const PID_FILE = 'redis-server.pid';

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

async function assertNoLiveServer(dataDir: string): Promise<void> {
  const pid = Number.parseInt(await readFile(join(dataDir, PID_FILE), 'utf8').catch(() => ''), 10);
  // Two servers appending to one AOF would corrupt it; a survivor of a killed run is the usual cause.
  if (isProcessAlive(pid)) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => 'redis-server');
    if (comm.trim().startsWith('redis')) {
      throw new Error(
        `redis-server pid ${pid} (from an earlier run?) is still using ${dataDir}; stop it first (kill ${pid})`,
      );
    }
  }
}

/**
 * Spawns `redis-server` bound to 127.0.0.1 with its data in `dataDir` and `appendonly yes`, so
 * queue state survives a restart even if the port changes, and waits until it answers PING.
 * The server is also sent SIGTERM if this process exits without calling `stop()`.
 */
export async function spawnRedisServer(options: SpawnRedisOptions): Promise<SpawnedRedis> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  await assertNoLiveServer(dataDir);
  // A port picked by freePort() can be taken before redis binds it; then just pick another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await spawnOnce(options, dataDir, port);
    } catch (err) {
      const portTaken = err instanceof Error && /Address already in use/i.test(err.message);
      if (!portTaken || options.port !== undefined || attempt >= 3) throw err;
    }
  }
}

async function spawnOnce(options: SpawnRedisOptions, dataDir: string, port: number): Promise<SpawnedRedis> {
  const command = options.command ?? 'redis-server';
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const url = `redis://127.0.0.1:${port}`;
  const settings = {
    port: String(port),
    bind: '127.0.0.1',
    dir: dataDir,
    appendonly: 'yes',
    pidfile: join(dataDir, PID_FILE),
    daemonize: 'no',
    logfile: '', // stdout, kept below for error messages
  };
  const args = Object.entries(settings).flatMap(([name, value]) => [`--${name}`, value]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });

  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 30));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const spawnError = new Promise<Error>((done) => child.once('error', done));
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      // No pid means the spawn itself failed (e.g. ENOENT): there is nothing to stop.
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited(child);
        clearTimeout(timer);
      }
      options.logger?.info({ port, dataDir }, 'redis-server stopped');
    })();
    return stopping;
  };

  const earlyExit = exited(child).then(
    () => new Error(`redis-server exited with ${child.exitCode ?? child.signalCode}`),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = await Promise.race([
      spawnError,
      earlyExit,
      pingRedis(url, 250).then(
        () => undefined,
        () => sleep(50).then(() => null),
      ),
    ]);
    if (failure === undefined) break;
    if (failure instanceof Error || Date.now() > deadline) {
      await stop();
      if (errorCodeOf(failure) === 'ENOENT') {
        throw new RedisServerNotFoundError(`${command} not found on PATH`, { cause: failure });
      }
      const reason = failure instanceof Error ? failure.message : `no PONG within ${timeoutMs} ms`;
      throw new Error(`redis-server on port ${port} did not start: ${reason}\n${output.join('\n')}`);
    }
  }
  options.logger?.info({ port, dataDir, pid: child.pid }, 'redis-server started');
  return { url, port, pid: child.pid ?? -1, stop };
}
