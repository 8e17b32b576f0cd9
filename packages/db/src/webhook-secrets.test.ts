import { createSecretBox, generateSecretKey, generateWebhookSecret, parseSecretKey } from '@imagegate/core';
import { useTestDatabase } from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import { createAccountWithGrant } from './account-operations.ts';
import { findWebhookSigningSecrets, resealWebhookSecrets, rotateWebhookSecret } from './webhook-secrets.ts';

const database = useTestDatabase();
const newKey = () => parseSecretKey(generateSecretKey()) ?? Buffer.alloc(0);
// One key for the whole database, as in a deployment: the tests run in order, the last rotates it.
const oldKey = newKey();
const box = createSecretBox({ current: oldKey });

async function storedSecrets(accountId: string) {
  const { rows } = await database.pool.query<{ current: string | null; previous: string | null }>(
    'select webhook_secret as current, previous_webhook_secret as previous from accounts where id = $1',
    [accountId],
  );
  return rows[0];
}

describe('webhook secrets at rest', () => {
  it('stores them sealed, never as the secret itself, and signs with the plaintext', async () => {
    const secret = generateWebhookSecret();
    const account = await createAccountWithGrant(database.pool, {
      name: 'sealed',
      starterMicros: 0n,
      webhookSecret: { secret, box },
    });
    const next = generateWebhookSecret();
    await rotateWebhookSecret(database.pool, box, account.id, next, 60);
    const stored = await storedSecrets(account.id);
    for (const value of [stored?.current, stored?.previous]) {
      expect(value?.startsWith(box.currentPrefix)).toBe(true);
      expect(value).not.toContain(secret.slice(6));
      expect(value).not.toContain(next.slice(6));
    }
    expect(await findWebhookSigningSecrets(database.pool, box, account.id)).toEqual([next, secret]);
  });

  it('upgrade: setup seals the plain-text secrets written before, and signing goes on unchanged', async () => {
    const account = await createAccountWithGrant(database.pool, { name: 'legacy', starterMicros: 0n });
    // What a database from before encryption holds.
    await database.pool.query(
      `update accounts set webhook_secret = 'whsec_new', previous_webhook_secret = 'whsec_old',
         previous_webhook_secret_expires_at = now() + interval '1 hour' where id = $1`,
      [account.id],
    );
    expect(await findWebhookSigningSecrets(database.pool, box, account.id)).toEqual(['whsec_new', 'whsec_old']);
    expect(await resealWebhookSecrets(database.pool, box)).toBeGreaterThanOrEqual(1);
    const stored = await storedSecrets(account.id);
    expect(stored?.current?.startsWith(box.currentPrefix)).toBe(true);
    expect(stored?.previous?.startsWith(box.currentPrefix)).toBe(true);
    expect(await findWebhookSigningSecrets(database.pool, box, account.id)).toEqual(['whsec_new', 'whsec_old']);
    expect(await resealWebhookSecrets(database.pool, box)).toBe(0);
  });

  it('key rotation: with the old key as previous, setup re-seals everything under the new one', async () => {
    const account = await createAccountWithGrant(database.pool, {
      name: 'rotated',
      starterMicros: 0n,
      webhookSecret: { secret: 'whsec_kept', box },
    });
    const rotatedKey = newKey();
    const during = createSecretBox({ current: rotatedKey, previous: oldKey });
    expect(await findWebhookSigningSecrets(database.pool, during, account.id)).toEqual(['whsec_kept']);
    expect(await resealWebhookSecrets(database.pool, during)).toBe(3);
    expect((await storedSecrets(account.id))?.current?.startsWith(during.currentPrefix)).toBe(true);
    // The old key can go now: the new key alone opens every secret.
    const after = createSecretBox({ current: rotatedKey });
    expect(await findWebhookSigningSecrets(database.pool, after, account.id)).toEqual(['whsec_kept']);
  });
});
