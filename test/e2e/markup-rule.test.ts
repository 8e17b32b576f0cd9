import { markupFor, parseMarkupTiers, withMarkup } from '@imagegate/catalog';
import { newId } from '@imagegate/core';
import { createAccountWithGrant } from '@imagegate/db';
import { useTestDatabase } from '@imagegate/testing';
import { describe, expect, it } from 'vitest';

const database = useTestDatabase();

// Holds are priced in SQL (the submission statement) and charges in TypeScript (settlement): both
// must apply the same markup rule, or a job's charge could differ from its quote.

describe('the markup rule', () => {
  it('rounds unit × markup half up to the micro-dollar in SQL exactly as withMarkup does', async () => {
    const units = [0n, 1n, 333n, 12_345n, 40_000n, 999_999n, 170_000n, 2_500_001n];
    const permilles = [1000, 1200, 1333, 1400, 1500, 1999];
    const pairs = units.flatMap((unit) => permilles.map((permille) => ({ unit, permille })));
    const { rows } = await database.pool.query<{ micros: bigint }>(
      'select imagegate_with_markup(unit, permille) as micros from unnest($1::bigint[], $2::int[]) as p (unit, permille)',
      [pairs.map((pair) => pair.unit), pairs.map((pair) => pair.permille)],
    );
    expect(rows.map((row) => row.micros)).toEqual(pairs.map((pair) => withMarkup(pair.unit, pair.permille)));
    expect(rows[pairs.findIndex((pair) => pair.unit === 333n && pair.permille === 1500)]?.micros).toBe(500n);
  });

  it('picks the tier of the 90-day spend in SQL exactly as markupFor does', async () => {
    const tiers = parseMarkupTiers('0:1.5,10:1.4,50:1.3,200:1.2');
    for (const spendUsd of [0, 9.999999, 10, 49, 50, 199.99, 200, 5_000]) {
      const account = await createAccountWithGrant(database.pool, {
        name: `markup-${newId('acct')}`,
        starterMicros: 0n,
      });
      const spendMicros = BigInt(Math.round(spendUsd * 1_000_000));
      await database.pool.query(
        `insert into account_daily_spend (account_id, day, micros) values ($1, current_date - 3, $2)`,
        [account.id, spendMicros],
      );
      const { rows } = await database.pool.query<{ permille: number }>(
        'select imagegate_markup_permille($1, $2::bigint[], $3::int[]) as permille',
        [account.id, tiers.map((tier) => tier.fromSpendMicros), tiers.map((tier) => tier.permille)],
      );
      expect({ spendUsd, permille: rows[0]?.permille }).toEqual({
        spendUsd,
        permille: markupFor(spendMicros, tiers).current.permille,
      });
    }
  });
});
