import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretBox, parseSecretKey } from '@imagegate/core';
import { findWebhookSigningSecrets } from '@imagegate/db';
import { useTestDatabase } from '@imagegate/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDevCredentials } from './dev-credentials.ts';

const database = useTestDatabase();
const dir = mkdtempSync(join(tmpdir(), 'imagegate-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureDevCredentials', () => {
  it('generates IMAGEGATE_SECRET_KEY once, keeps it with the credentials, and seals the dev secret under it', async () => {
    const file = join(dir, 'credentials.json');
    const first = await ensureDevCredentials(database.pool, { file, starterMicros: 0n });
    const key = parseSecretKey(first.secretKey);
    expect(key).toHaveLength(32);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ secretKey: first.secretKey });
    const again = await ensureDevCredentials(database.pool, { file, starterMicros: 0n });
    expect(again).toMatchObject({ secretKey: first.secretKey, accountId: first.accountId, created: false });

    const { rows } = await database.pool.query<{ stored: string }>(
      'select webhook_secret as stored from accounts where id = $1',
      [first.accountId],
    );
    expect(rows[0]?.stored).toMatch(/^igsec1\./);
    const box = createSecretBox({ current: key ?? Buffer.alloc(0) });
    expect(await findWebhookSigningSecrets(database.pool, box, first.accountId)).toEqual([
      expect.stringMatching(/^whsec_/),
    ]);
  });
});
