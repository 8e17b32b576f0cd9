import type { Queryable } from './pool.ts';

/**
 * The secrets that sign an account's webhooks now: the current one, then the one it replaced while
 * that is still within its grace period. Empty when the account has no secret (or does not exist).
 */
export async function findWebhookSigningSecrets(db: Queryable, accountId: string): Promise<string[]> {
  const { rows } = await db.query<{ current: string | null; previous: string | null }>(
    `select webhook_secret as current,
       case when previous_webhook_secret_expires_at > now() then previous_webhook_secret end as previous
     from accounts where id = $1`,
    [accountId],
  );
  const row = rows[0];
  return [row?.current, row?.previous].filter((secret): secret is string => typeof secret === 'string');
}

/**
 * Replaces the account's webhook secret; the old one keeps signing beside it for `graceSeconds`
 * so receivers can switch without missing an event. Returns when the old one stops signing, or
 * undefined when there is no such account.
 */
export async function rotateWebhookSecret(
  db: Queryable,
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
    [accountId, secret, graceSeconds],
  );
  const row = rows[0];
  return row === undefined ? undefined : { previousExpiresAt: row.previous_webhook_secret_expires_at };
}
