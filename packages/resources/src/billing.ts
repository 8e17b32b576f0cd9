import { chargeForJob, upstreamCostOf } from '@imagegate/catalog';
import { microsToUsd } from '@imagegate/core';
import type { JobRow } from '@imagegate/db';

export interface Billing {
  held_usd: number;
  charged_usd: number;
  refunded_usd: number;
  unit_price_usd: number;
  markup: number;
  /** What the upstream charged us, at the catalog's rates; null until the job succeeded. */
  upstream_cost_usd: number | null;
}

/**
 * A job's money: the hold taken at submission; once it succeeded, the charge computed from its
 * frozen prices (the settlement worker debits exactly this); once settled, what went back.
 */
export function billingOf(job: JobRow): Billing {
  const requested = BigInt(job.request.n);
  let perImage = requested > 0n ? job.hold_micros / requested : 0n;
  let charged = 0n;
  if (job.status === 'succeeded') {
    const charge = chargeForJob(job);
    perImage = charge.perImageMicros;
    charged = charge.chargeMicros;
  }
  if (job.settled_at !== null) charged = job.charged_micros ?? 0n;
  return {
    held_usd: microsToUsd(job.hold_micros),
    charged_usd: microsToUsd(charged),
    refunded_usd: job.settled_at === null ? 0 : microsToUsd(job.hold_micros - charged),
    unit_price_usd: microsToUsd(perImage),
    markup: job.markup_permille / 1000,
    upstream_cost_usd: job.status === 'succeeded' ? microsToUsd(upstreamCostOf(job).micros) : null,
  };
}
