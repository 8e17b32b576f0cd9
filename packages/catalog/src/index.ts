export * from './catalog.ts';
export * from './catalog-schema.ts';
export * from './deadline.ts';
export * from './lifecycle.ts';
export * from './markup-tiers.ts';
export * from './parameters.ts';
export * from './pricing.ts';
export * from './provider-options.ts';
