import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LocalLogger } from './logger.ts';

const run = promisify(execFile);

/** Numeric ids of an OS account. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** True when this process runs as root (uid 0); always false where uids do not exist. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Looks up an account by name with `id`; undefined when it does not exist. */
export async function lookupUser(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * Returns the account `name`, creating it as a login-less system user (and group) when missing.
 * Needs root; uses the shadow-utils `groupadd`/`useradd` found on Debian, Ubuntu and RHEL.
 */
export async function ensureSystemUser(name: string, logger?: LocalLogger): Promise<OsUser> {
  const existing = await lookupUser(name);
  if (existing !== undefined) return existing;
  logger?.info({ user: name }, 'creating system user to run PostgreSQL (it refuses to run as root)');
  try {
    await run('groupadd', ['--system', name]).catch(async (err: unknown) => {
      // The group may exist without the user (e.g. a half-removed package).
      if ((await run('getent', ['group', name]).catch(() => undefined)) === undefined) throw err;
    });
    await run('useradd', ['--system', '--gid', name, '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  } catch (err) {
    throw new Error(
      `running as root, PostgreSQL needs an unprivileged "${name}" user and creating it failed; create it yourself (useradd --system ${name}) or run as a normal user`,
      { cause: err },
    );
  }
  const created = await lookupUser(name);
  if (created === undefined) throw new Error(`user "${name}" still missing after useradd`);
  return created;
}
