import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureReachable } from './data-dir-ownership.ts';

// An account that owns nothing here, so only the "others" permission bits apply to it.
const stranger = { name: 'stranger', uid: 2_147_480_001, gid: 2_147_480_001 };

describe('ensureReachable', () => {
  it('opens 0700 directories inside the OS temp dir for passing through', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'imagegate-reach-'));
    try {
      await mkdir(join(tmp, 'nested'), { mode: 0o700 });
      await ensureReachable(join(tmp, 'nested', 'pg'), stranger);
      expect((await stat(tmp)).mode & 0o777).toBe(0o701);
      expect((await stat(join(tmp, 'nested'))).mode & 0o777).toBe(0o701);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('names the blocking directory instead of loosening one outside the temp dir', async () => {
    const closed = await mkdtemp('/var/tmp/imagegate-reach-');
    try {
      await expect(ensureReachable(join(closed, 'pg'), stranger)).rejects.toThrow(
        `cannot enter ${closed} (mode 700), so it cannot reach ${join(closed, 'pg')}; run "chmod o+x ${closed}"`,
      );
      expect((await stat(closed)).mode & 0o777).toBe(0o700);
    } finally {
      await rm(closed, { recursive: true, force: true });
    }
  });
});
