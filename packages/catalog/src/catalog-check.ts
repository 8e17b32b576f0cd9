import type { Catalog } from './catalog.ts';
import { lifecycleStatus } from './lifecycle.ts';

/** What one upstream API says it serves. */
export interface UpstreamListing {
  /** The catalog `protocol` the listing speaks for (`openai-images`, `gemini`, `bfl-flux`). */
  protocol: string;
  /** Model ids the upstream serves. */
  served: readonly string[];
  /** The ids asked about, for an upstream without a list (BFL is probed endpoint by endpoint); absent for a full list. */
  probed?: readonly string[] | undefined;
}

export interface CatalogCheckReport {
  /** Served upstream, unknown to the catalog (neither a model nor a retired entry). */
  missing: { protocol: string; model: string }[];
  /** In the catalog and available, but the upstream no longer serves them. */
  gone: { protocol: string; model: string; providerModel: string }[];
  /** Lifecycle dates on or before today, with what they mean now. */
  passedDates: { model: string; date: string; event: 'deprecated' | 'retired'; status: string }[];
}

/**
 * Compares the catalog with what the upstreams say they serve: models we lack, models we serve
 * that are gone, and lifecycle dates that have passed (a model still active past its retirement
 * date is forced by `status`; one deprecated is worth replacing).
 */
export function compareCatalog(catalog: Catalog, listings: readonly UpstreamListing[], now: Date): CatalogCheckReport {
  const known = new Set<string>();
  for (const model of catalog.models)
    for (const name of [model.providerModel, model.id, ...model.aliases]) known.add(name);
  for (const entry of catalog.retired) for (const name of [entry.id, ...entry.aliases]) known.add(name);
  const report: CatalogCheckReport = { missing: [], gone: [], passedDates: [] };
  for (const listing of listings) {
    const served = new Set(listing.served);
    for (const model of listing.served)
      if (!known.has(model)) report.missing.push({ protocol: listing.protocol, model });
    const asked = listing.probed === undefined ? undefined : new Set(listing.probed);
    for (const model of catalog.available()) {
      if (model.protocol !== listing.protocol || (asked !== undefined && !asked.has(model.providerModel))) continue;
      if (!served.has(model.providerModel)) {
        report.gone.push({ protocol: listing.protocol, model: model.id, providerModel: model.providerModel });
      }
    }
  }
  const today = now.toISOString().slice(0, 10);
  for (const model of catalog.models) {
    const status = lifecycleStatus(model.lifecycle, now);
    const { deprecatedAt, retiresAt } = model.lifecycle;
    if (deprecatedAt !== undefined && deprecatedAt <= today) {
      report.passedDates.push({ model: model.id, date: deprecatedAt, event: 'deprecated', status });
    }
    if (retiresAt !== undefined && retiresAt <= today) {
      report.passedDates.push({ model: model.id, date: retiresAt, event: 'retired', status });
    }
  }
  return report;
}
