import { chargeForJob, upstreamCostOf } from '@imagegate/catalog';
import { microsToUsd } from '@imagegate/core';
import type { JobRow } from '@imagegate/db';

/** Money of a set of succeeded jobs: what we charged, what the upstreams charged us, the difference. */
export interface MarginLine {
  jobs: number;
  images: number;
  charged_usd: number;
  upstream_cost_usd: number;
  margin_usd: number;
}

/** A job whose charge was below its upstream cost. */
export interface LossJob {
  job_id: string;
  model: string;
  charged_usd: number;
  upstream_cost_usd: number;
}

/** `GET /admin/v1/reports/margin`. */
export interface MarginReport {
  object: 'margin_report';
  /** Unix seconds; jobs that succeeded in `[since, until)`. */
  since: number;
  until: number;
  /** More jobs succeeded in the range than the report read; narrow it. */
  truncated: boolean;
  models: (MarginLine & { model: string })[];
  total: MarginLine;
  losses: LossJob[];
}

interface Sums {
  jobs: number;
  images: number;
  chargedMicros: bigint;
  upstreamMicros: bigint;
}

const lineOf = (sums: Sums): MarginLine => ({
  jobs: sums.jobs,
  images: sums.images,
  charged_usd: microsToUsd(sums.chargedMicros),
  upstream_cost_usd: microsToUsd(sums.upstreamMicros),
  margin_usd: microsToUsd(sums.chargedMicros - sums.upstreamMicros),
});

/**
 * Adds up succeeded jobs per model that served them: the charge (debited, or what settlement will
 * debit) against the upstream cost from each job's reported usage at its frozen rates.
 */
export function marginReport(
  jobs: readonly JobRow[],
  range: { since: Date; until: Date; truncated: boolean },
): MarginReport {
  const byModel = new Map<string, Sums>();
  const total: Sums = { jobs: 0, images: 0, chargedMicros: 0n, upstreamMicros: 0n };
  const losses: LossJob[] = [];
  for (const job of jobs) {
    const charged = job.settled_at === null ? chargeForJob(job).chargeMicros : (job.charged_micros ?? 0n);
    const upstream = upstreamCostOf(job).micros;
    const images = job.images?.length ?? 0;
    const sums = byModel.get(job.model) ?? { jobs: 0, images: 0, chargedMicros: 0n, upstreamMicros: 0n };
    for (const each of [sums, total]) {
      each.jobs += 1;
      each.images += images;
      each.chargedMicros += charged;
      each.upstreamMicros += upstream;
    }
    byModel.set(job.model, sums);
    if (charged < upstream) {
      losses.push({
        job_id: job.id,
        model: job.model,
        charged_usd: microsToUsd(charged),
        upstream_cost_usd: microsToUsd(upstream),
      });
    }
  }
  return {
    object: 'margin_report',
    since: Math.floor(range.since.getTime() / 1000),
    until: Math.floor(range.until.getTime() / 1000),
    truncated: range.truncated,
    models: [...byModel].map(([model, sums]) => ({ model, ...lineOf(sums) })),
    total: lineOf(total),
    losses,
  };
}
