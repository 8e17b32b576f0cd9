import type { SecretBox } from '@imagegate/core';
import { type Pool, type Queryable, withTransaction } from './pool.ts';

/**
 * Webhook signing secrets are stored sealed (AES-256-GCM, `SecretBox`), bound to their account's
 * id so a sealed value copied to another account does not open there.
 */
export function sealWebhookSecret(box: SecretBox, accountId: string, secret: string): string {
  return box.seal(secret, webhookSecretContext(accountId));
}

function webhookSecretContext(accountId: string): string {
  return `webhook_secret:${accountId}`;
}

/**
 * The secrets that sign an account's webhooks now: the current one, then the one it replaced while
 * that is still within its grace period. Empty when the account has no secret (or does not exist).
 */
export async function findWebhookSigningSecrets(db: Queryable, box: SecretBox, accountId: string): Promise<string[]> {
  const { rows } = await db.query<{ current: string | null; previous: string | null }>(
    `select webhook_secret as current,
       case when previous_webhook_secret_expires_at > now() then previous_webhook_secret end as previous
     from accounts where id = $1`,
    [accountId],
  );
  const row = rows[0];
  return [row?.current, row?.previous]
    .filter((secret): secret is string => typeof secret === 'string')
    .map((stored) => box.open(stored, webhookSecretContext(accountId)));
}

/**
 * Replaces the account's webhook secret; the old one keeps signing beside it for `graceSeconds`
 * so receivers can switch without missing an event. Returns when the old one stops signing, or
 * undefined when there is no such account.
 */
export async function rotateWebhookSecret(
  db: Queryable,
  box: SecretBox,
  accountId: string,
  secret: string,
  graceSeconds: number,
): Promise<{ previousExpiresAt: Date | null } | undefined> {
  const { rows } = await db.query<{ previous_webhook_secret_expires_at: Date | null }>(
    `update accounts set
       previous_webhook_secret = webhook_secret,
       previous_webhook_secret_expires_at = case when webhook_secret is null then null
         else now() + make_interval(secs => $3) end,
       webhook_secret = $2
     where id = $1 returning previous_webhook_secret_expires_at`,
    [accountId, sealWebhookSecret(box, accountId, secret), graceSeconds],
  );
  const row = rows[0];
  return row === undefined ? undefined : { previousExpiresAt: row.previous_webhook_secret_expires_at };
}

/** Accounts re-sealed per transaction. */
const RESEAL_BATCH = 500;

/**
 * Seals every webhook secret that is not yet sealed under the current key: plain text written
 * before secrets were encrypted (the upgrade), or sealed under `IMAGEGATE_SECRET_KEY_PREVIOUS`
 * (a rotation). Idempotent; run by setup after the migrations. Rows are locked while re-sealed,
 * so a rotation at the same moment is applied after, not overwritten. Returns how many accounts
 * changed.
 */
export async function resealWebhookSecrets(pool: Pool, box: SecretBox): Promise<number> {
  const pattern = `${box.currentPrefix.replace(/[\\%_]/g, '\\$&')}%`;
  let total = 0;
  for (;;) {
    const changed = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: string; current: string | null; previous: string | null }>(
        `select id, webhook_secret as current, previous_webhook_secret as previous from accounts
         where webhook_secret not like $1 or previous_webhook_secret not like $1
         order by id limit $2 for update`,
        [pattern, RESEAL_BATCH],
      );
      for (const row of rows) {
        const reseal = (stored: string | null) =>
          stored === null || box.isSealedWithCurrentKey(stored)
            ? stored
            : sealWebhookSecret(box, row.id, box.open(stored, webhookSecretContext(row.id)));
        await client.query('update accounts set webhook_secret = $2, previous_webhook_secret = $3 where id = $1', [
          row.id,
          reseal(row.current),
          reseal(row.previous),
        ]);
      }
      return rows.length;
    });
    total += changed;
    if (changed < RESEAL_BATCH) return total;
  }
}
