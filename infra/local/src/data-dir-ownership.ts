import { chmod, lchown, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { LocalLogger } from './logger.ts';
import type { OsUser } from './os-user.ts';

async function chownTree(path: string, user: OsUser): Promise<void> {
  await lchown(path, user.uid, user.gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, user);
    else await lchown(child, user.uid, user.gid);
  }
}

/**
 * Hands `dir` (recursively) to `user` when it is owned by someone else, and sets mode 0700,
 * which PostgreSQL requires of its data directory. Cheap when ownership is already right: only
 * the top directory is inspected, as everything below is created by the server itself.
 */
export async function giveDirTo(dir: string, user: OsUser): Promise<void> {
  const info = await stat(dir);
  if (info.uid !== user.uid || info.gid !== user.gid) {
    await chownTree(dir, user);
  }
  if ((info.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}

/**
 * Makes sure `user` can reach `dir` through its ancestors, which need search (x) permission for
 * it. A blocking directory inside the OS temp dir (typically a 0700 `mkdtemp` scratch dir) gets
 * o+x added, which lets others pass through but not list it; anywhere else (e.g. a 0700 home
 * directory) this throws a message naming the culprit rather than loosening it silently.
 * Processes spawned with a uid drop supplementary groups, so only owner, primary group and
 * others count.
 */
export async function ensureReachable(dir: string, user: OsUser, logger?: LocalLogger): Promise<void> {
  const temp = resolve(tmpdir());
  for (let current = dirname(dir); ; current = dirname(current)) {
    const info = await stat(current);
    const mode = info.mode;
    const searchable =
      info.uid === user.uid
        ? (mode & 0o100) !== 0
        : info.gid === user.gid
          ? (mode & 0o010) !== 0
          : (mode & 0o001) !== 0;
    if (!searchable) {
      if (current.startsWith(`${temp}${sep}`)) {
        await chmod(current, (mode & 0o7777) | 0o001);
        logger?.info({ dir: current, user: user.name }, 'granted o+x on temp dir so PostgreSQL can reach its data');
      } else {
        throw new Error(
          `the "${user.name}" user that PostgreSQL runs as cannot enter ${current} (mode ${(mode & 0o777).toString(8)}), ` +
            `so it cannot reach ${dir}; run "chmod o+x ${current}" or choose a data dir elsewhere`,
        );
      }
    }
    if (dirname(current) === current) return;
  }
}
