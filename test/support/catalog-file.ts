import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEFAULT_CATALOG = new URL('../../packages/catalog/data/models.json', import.meta.url);

/** Writes an operator catalog (`CATALOG_FILE`) where one model's per-image prices are replaced. */
export function catalogFileWithPrice(modelId: string, usd: { low: number; medium: number; high: number }): string {
  const catalog = JSON.parse(readFileSync(DEFAULT_CATALOG, 'utf8')) as {
    models: { id: string; pricing: { rule?: string; tiers?: { maxPixels: number; usd: Record<string, number> }[] } }[];
  };
  const model = catalog.models.find((candidate) => candidate.id === modelId);
  if (model === undefined) throw new Error(`no model ${modelId}`);
  model.pricing = { rule: 'per_image', tiers: [{ maxPixels: 8_294_400, usd }] };
  const file = join(mkdtempSync(join(tmpdir(), 'imagegate-catalog-')), 'catalog.json');
  writeFileSync(file, JSON.stringify({ models: [model] }));
  return file;
}

/** Writes an operator catalog (`CATALOG_FILE`) with one default model changed by `change`. */
export function catalogFileWithModel(modelId: string, change: (model: Record<string, unknown>) => void): string {
  const catalog = JSON.parse(readFileSync(DEFAULT_CATALOG, 'utf8')) as { models: Record<string, unknown>[] };
  const model = catalog.models.find((candidate) => candidate.id === modelId);
  if (model === undefined) throw new Error(`no model ${modelId}`);
  change(model);
  const file = join(mkdtempSync(join(tmpdir(), 'imagegate-catalog-')), 'catalog.json');
  writeFileSync(file, JSON.stringify({ models: [model] }));
  return file;
}
