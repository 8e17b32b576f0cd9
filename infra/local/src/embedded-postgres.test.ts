import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { isPortFree } from './free-port.ts';
import type { LocalLogger } from './logger.ts';
import { isProcessAlive } from './process-alive.ts';

function recordingLogger(): LocalLogger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, info: (_obj, msg) => messages.push(msg), warn: (_obj, msg) => messages.push(msg) };
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  let tmp: string;
  let dataDir: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'imagegate-pg-test-'));
    dataDir = join(tmp, 'postgres');
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('initialises a cluster, answers queries, and really stops', { timeout: 120_000 }, async () => {
    const logger = recordingLogger();
    const server = await startEmbeddedPostgres({ dataDir, logger });
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres:imagegate@127\.0\.0\.1:\d+\/imagegate$/);
      expect(logger.messages).toContain('initialising a new PostgreSQL cluster');
      expect(await query(server.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      expect(
        await query(server.url, "select current_database() as db, current_setting('server_encoding') as enc"),
      ).toEqual([{ db: 'imagegate', enc: 'UTF8' }]);
      await query(server.url, "create table survivor (note text); insert into survivor values ('still here')");
    } finally {
      const pid = Number.parseInt((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
      await server.stop();
      await server.stop();
      expect(isProcessAlive(pid)).toBe(false);
      expect(await isPortFree(server.port)).toBe(true);
      await expect(stat(join(dataDir, 'postmaster.pid'))).rejects.toThrow();
    }
  });

  it('reuses the existing cluster on the next start without re-initialising', { timeout: 60_000 }, async () => {
    const versionBefore = await stat(join(dataDir, 'PG_VERSION'));
    const logger = recordingLogger();
    const server = await startEmbeddedPostgres({ dataDir, logger });
    try {
      expect(logger.messages).not.toContain('initialising a new PostgreSQL cluster');
      expect((await stat(join(dataDir, 'PG_VERSION'))).mtimeMs).toBe(versionBefore.mtimeMs);
      expect(await query(server.url, 'select note from survivor')).toEqual([{ note: 'still here' }]);
    } finally {
      await server.stop();
    }
  });

  it('refuses a non-empty directory that is not a cluster', async () => {
    await expect(startEmbeddedPostgres({ dataDir: tmp })).rejects.toThrow(/neither empty nor a PostgreSQL cluster/);
  });
});
