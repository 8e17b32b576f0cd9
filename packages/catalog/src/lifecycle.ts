import type { CatalogModel, ModelLifecycle } from './catalog-schema.ts';

export type LifecycleStatus = 'active' | 'deprecated' | 'retired';

/** Where a model stands on `now`'s date (UTC): the dates decide unless `status` forces it. */
export function lifecycleStatus(lifecycle: ModelLifecycle, now: Date): LifecycleStatus {
  if (lifecycle.status !== undefined) return lifecycle.status;
  const today = now.toISOString().slice(0, 10);
  if (lifecycle.retiresAt !== undefined && today >= lifecycle.retiresAt) return 'retired';
  if (lifecycle.deprecatedAt !== undefined && today >= lifecycle.deprecatedAt) return 'deprecated';
  return 'active';
}

/** The line a deprecated model's responses carry in `extra.warnings`, or undefined while it is active. */
export function deprecationWarning(model: CatalogModel, now: Date): string | undefined {
  if (lifecycleStatus(model.lifecycle, now) !== 'deprecated') return undefined;
  const { retiresAt, replacement, note } = model.lifecycle;
  return [
    `${model.id} is deprecated${retiresAt ? ` and will be retired on ${retiresAt}` : ''}.`,
    replacement ? `Use '${replacement}' instead.` : undefined,
    note,
  ]
    .filter(Boolean)
    .join(' ');
}
