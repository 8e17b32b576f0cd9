import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { type Pool, withTransaction } from './pool.ts';

const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);
// Any constant: serialises concurrent migrators (replicas starting together, parallel tests).
const MIGRATION_LOCK = 7_120_424_611;

export interface Migration {
  name: string;
  sql: string;
}

/** The numbered SQL files, in order. Never edit a merged one; add the next number. */
export function listMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{4}_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({ name: file, sql: readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8') }));
}

/** A fingerprint of every migration: test templates are rebuilt when it changes. */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const migration of listMigrations()) hash.update(migration.name).update(migration.sql);
  return hash.digest('hex').slice(0, 12);
}

/** Applies the migrations not yet applied, each in its own transaction. Returns their names. */
export async function migrate(pool: Pool): Promise<string[]> {
  return withTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const { rows } = await client.query<{ name: string }>('select name from schema_migrations');
    const applied = new Set(rows.map((row) => row.name));
    const done: string[] = [];
    for (const migration of listMigrations()) {
      if (applied.has(migration.name)) continue;
      await client.query(migration.sql);
      await client.query('insert into schema_migrations (name) values ($1)', [migration.name]);
      done.push(migration.name);
    }
    return done;
  });
}
