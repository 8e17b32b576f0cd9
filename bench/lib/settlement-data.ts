/**
 * The settlement benchmark's data: finished jobs with open holds, seeded in bulk SQL from a fixed
 * set of job shapes (sizes, qualities, partial deliveries, odd markups), and every job's expected
 * charge computed with `chargeForJob`.
 */
import {
  type CatalogModel,
  chargeForJob,
  type FrozenPrices,
  maxUnitPrice,
  type PricedJob,
  withMarkup,
} from '@imagegate/catalog';
import type { Pool } from '@imagegate/db';

export const MODEL_ID = 'gpt-image-2.6-flare';
const GRANT_MICROS = 1_000_000_000_000n; // $1M per account: far more than any hold total here
const VARIANTS = 997; // distinct (request, result, markup) shapes, spread over the jobs

export interface Variant {
  v: number;
  request: Record<string, unknown>;
  parameters: Record<string, unknown>;
  images: { key: string; content_type: string; bytes: number }[];
  result: Record<string, unknown>;
  markup: number;
  hold: number;
  /** Frozen catalog price of one image of what was delivered, before markup (for the baseline). */
  unit: number;
  /** Images that count: min(delivered, n) (for the baseline). */
  delivered: number;
}

/** Deterministic PRNG (mulberry32), so every seed is the same data. */
function prng(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

function pick<T>(rand: (below: number) => number, values: readonly T[]): T {
  const value = values[rand(values.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
}

/**
 * The unit price of a delivered image, computed here without the catalog's pricing code: OpenAI's
 * output-token formula at the frozen quality factors and image output rate, plus the frozen input.
 */
function unitPriceFor(prices: FrozenPrices, size: string, quality: string): bigint {
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (prices.rule !== 'per_token' || prices.output.formula !== 'openai-tiles' || match === null) {
    throw new Error(`the settlement bench prices ${MODEL_ID} by OpenAI's token formula, at a WxH size`);
  }
  const [width, height] = [Number(match[1]), Number(match[2])];
  const factors = Object.values(prices.output.qualityFactors);
  const factor = prices.output.qualityFactors[quality] ?? Math.max(...factors);
  const scaled = Math.floor(
    (2 * factor * Math.min(width, height) + Math.max(width, height)) / (2 * Math.max(width, height)),
  );
  const tokens = Math.ceil((factor * scaled * (2_000_000 + width * height)) / 4_000_000);
  return BigInt(Math.ceil(tokens * prices.rates.imageOutput)) + BigInt(prices.inputMicros);
}

export function buildVariants(model: CatalogModel, prices: FrozenPrices): Variant[] {
  const rand = prng(20_240_611);
  const fixedSizes = ['1024x1024', '1536x1024', '1024x1536'];
  const variants: Variant[] = [];
  for (let v = 0; v < VARIANTS; v++) {
    const n = 1 + rand(4);
    // One job in five delivers fewer images than asked for (partial delivery).
    const made = rand(5) === 0 ? 1 + rand(n) : n;
    const size = pick(rand, [...fixedSizes, 'auto']);
    const quality = pick(rand, ['low', 'medium', 'high', 'auto'] as const);
    const resultSize = size === 'auto' ? pick(rand, fixedSizes) : size;
    const resultQuality = quality === 'auto' ? pick(rand, ['low', 'medium', 'high']) : quality;
    // Markups from the tiers and odd ones, so the half-up rounding is exercised.
    const markup = rand(2) === 0 ? pick(rand, [1200, 1300, 1400, 1500]) : 1000 + rand(1000);
    const hold = withMarkup(maxUnitPrice(model, prices, { size, quality }), markup) * BigInt(n);
    variants.push({
      v,
      request: { model: model.id, prompt: `bench variant ${v}`, n, size, quality },
      parameters: {
        n,
        size,
        quality,
        background: 'auto',
        outputFormat: 'png',
        providerModel: model.providerModel,
        protocol: model.protocol,
        imagesPerCall: model.capabilities.maxImagesPerCall,
        deadlineMs: 600_000,
        warnings: [],
      },
      images: Array.from({ length: made }, (_, i) => ({
        key: `bench/${v}/${i}.png`,
        content_type: 'image/png',
        bytes: 1_048_576,
      })),
      result: {
        created: 1_760_000_000,
        size: resultSize,
        quality: resultQuality,
        output_format: 'png',
        background: 'opaque',
      },
      markup,
      hold: Number(hold),
      unit: Number(unitPriceFor(prices, resultSize, resultQuality)),
      delivered: Math.min(made, n),
    });
  }
  return variants;
}

export async function prepareScratchTables(pool: Pool, variants: Variant[]): Promise<void> {
  await pool.query(`
    create table bench_variant (
      v integer primary key, request jsonb not null, parameters jsonb not null, images jsonb not null,
      result jsonb not null, markup integer not null, hold bigint not null, unit bigint not null,
      delivered integer not null
    );
    -- The baseline's precomputed per-job charge inputs.
    create table bench_charge (job_id text primary key, unit_micros bigint not null, delivered integer not null);
  `);
  await pool.query(
    `insert into bench_variant
     select * from jsonb_to_recordset($1::jsonb) as x(v integer, request jsonb, parameters jsonb, images jsonb,
       result jsonb, markup integer, hold bigint, unit bigint, delivered integer)`,
    [JSON.stringify(variants)],
  );
}

/** Empties the money tables and bulk-inserts accounts, finished jobs with open holds, and their ledger. */
export async function seedSettlementData(
  pool: Pool,
  options: { jobs: number; accounts: number; prices: string },
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    // cascade: tables that reference jobs (webhook deliveries, and whatever comes next) go with them.
    await client.query('truncate ledger_entries, account_daily_spend, jobs, api_keys, accounts, bench_charge cascade');
    await client.query(
      `insert into accounts (id, name, balance_micros, held_micros)
       select 'acct_' || lpad(a::text, 26, '0'), 'bench ' || a, $2, 0 from generate_series(0, $1 - 1) a`,
      [options.accounts, GRANT_MICROS],
    );
    await client.query(
      `insert into ledger_entries (id, account_id, type, amount_micros, held_micros, reason)
       select 'led_0' || lpad(a::text, 25, '0'), 'acct_' || lpad(a::text, 26, '0'), 'grant', $2, 0, 'bench grant'
       from generate_series(0, $1 - 1) a`,
      [options.accounts, GRANT_MICROS],
    );
    await client.query(
      `insert into jobs (id, operation, account_id, status, model, provider, request, parameters, response_format,
         attempts, images, result, routing, markup_permille, prices, hold_micros, created_at, started_at, completed_at)
       select 'job_' || lpad(g::text, 26, '0'), 'generate', 'acct_' || lpad((g % $2)::text, 26, '0'), 'succeeded', $3,
         'openai', v.request, v.parameters, 'url', 1, v.images, v.result,
         jsonb_build_object('attempts', jsonb_build_array(jsonb_build_object(
           'provider', 'openai', 'model', $3::text, 'status', 'succeeded', 'duration_ms', 2000))),
         v.markup, jsonb_build_object($3::text, $4::jsonb), v.hold,
         now() - interval '10 seconds', now() - interval '9 seconds', now() - interval '5 seconds'
       from generate_series(1, $1) g join bench_variant v on v.v = g % $5`,
      [options.jobs, options.accounts, MODEL_ID, options.prices, VARIANTS],
    );
    await client.query(
      `insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
       select 'led_1' || right(j.id, 25), j.account_id, 'hold', 0, j.hold_micros, j.id from jobs j`,
    );
    await client.query(
      `update accounts a set held_micros = s.held
       from (select account_id, sum(hold_micros) as held from jobs group by account_id) s where a.id = s.account_id`,
    );
    await client.query(
      `insert into bench_charge (job_id, unit_micros, delivered)
       select 'job_' || lpad(g::text, 26, '0'), v.unit, v.delivered
       from generate_series(1, $1) g join bench_variant v on v.v = g % $2`,
      [options.jobs, VARIANTS],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  // Same starting state for both passes: fresh statistics, no checkpoint pending from the seed.
  await pool.query('analyze');
  await pool.query('checkpoint');
}

interface SeededJob extends PricedJob {
  id: string;
}

/** Every job's charge, computed here with `chargeForJob` from what the seed stored. */
export async function expectedCharges(
  pool: Pool,
): Promise<{ byJob: Map<string, bigint>; ids: string[]; total: bigint }> {
  const { rows } = await pool.query<SeededJob>(
    'select id, model, prices, markup_permille, hold_micros, images, result, request from jobs order by id',
  );
  const byJob = new Map<string, bigint>();
  let total = 0n;
  for (const row of rows) {
    const charge = chargeForJob(row).chargeMicros;
    byJob.set(row.id, charge);
    total += charge;
  }
  return { byJob, ids: rows.map((row) => row.id), total };
}
