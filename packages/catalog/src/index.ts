export * from './catalog.ts';
export * from './catalog-schema.ts';
export * from './markup-tiers.ts';
export * from './parameters.ts';
export * from './pricing.ts';
