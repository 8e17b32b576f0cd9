import { ConflictError, InvalidRequestError, NotFoundError, type SecretBox } from '@imagegate/core';
import { type AccountRow, insertAccount } from './accounts.ts';
import { changeAccountBalance, lockAccountBalance } from './balances.ts';
import { findLedgerEntryByIdempotencyKey, insertLedgerEntry, type LedgerEntryRow } from './ledger.ts';
import { type Pool, withTransaction } from './pool.ts';
import { sealWebhookSecret } from './webhook-secrets.ts';

/**
 * Creates an account with its starter credit, recorded as a `grant` in the ledger, and its webhook
 * secret (stored sealed) when one is given.
 */
export async function createAccountWithGrant(
  pool: Pool,
  input: { name: string; starterMicros: bigint; webhookSecret?: { secret: string; box: SecretBox } },
): Promise<AccountRow> {
  return withTransaction(pool, async (client) => {
    const account = await insertAccount(client, { name: input.name });
    if (input.webhookSecret) {
      const { secret, box } = input.webhookSecret;
      await client.query('update accounts set webhook_secret = $2 where id = $1', [
        account.id,
        sealWebhookSecret(box, account.id, secret),
      ]);
    }
    if (input.starterMicros > 0n) {
      await insertLedgerEntry(client, {
        accountId: account.id,
        type: 'grant',
        amountMicros: input.starterMicros,
        reason: 'starter credit',
      });
      await changeAccountBalance(client, account.id, { balanceMicros: input.starterMicros, heldMicros: 0n });
    }
    return account;
  });
}

/**
 * A top-up (positive) or adjustment (negative). With an idempotency key the same call twice
 * credits once and returns the first entry; the key with another amount or reason is a conflict
 * (as on the submit endpoints), not a replay of a credit that was never asked for. An adjustment
 * cannot take more than is available.
 */
export async function creditAccount(
  pool: Pool,
  input: { accountId: string; amountMicros: bigint; reason: string; idempotencyKey?: string | undefined },
): Promise<{ entry: LedgerEntryRow; replayed: boolean }> {
  return withTransaction(pool, async (client) => {
    const balance = await lockAccountBalance(client, input.accountId);
    if (balance === undefined) throw new NotFoundError(`No account with id '${input.accountId}'.`, { param: 'id' });
    if (input.idempotencyKey !== undefined) {
      const existing = await findLedgerEntryByIdempotencyKey(client, input.accountId, input.idempotencyKey);
      if (existing) {
        if (existing.amount_micros !== input.amountMicros || existing.reason !== input.reason) {
          throw new ConflictError('This Idempotency-Key was already used with a different request body.', {
            code: 'idempotency_conflict',
          });
        }
        return { entry: existing, replayed: true };
      }
    }
    if (input.amountMicros < 0n && balance.balance_micros - balance.held_micros + input.amountMicros < 0n) {
      throw new InvalidRequestError('The adjustment is larger than the available balance.', { param: 'amount_usd' });
    }
    const entry = await insertLedgerEntry(client, {
      accountId: input.accountId,
      type: input.amountMicros >= 0n ? 'top_up' : 'adjustment',
      amountMicros: input.amountMicros,
      reason: input.reason,
      idempotencyKey: input.idempotencyKey,
    });
    if (entry === undefined) throw new Error('credit entry was not written');
    await changeAccountBalance(client, input.accountId, { balanceMicros: input.amountMicros, heldMicros: 0n });
    return { entry, replayed: false };
  });
}
