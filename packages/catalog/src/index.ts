export * from './catalog.ts';
export * from './catalog-schema.ts';
export * from './parameters.ts';
