export * from './accounts.ts';
export * from './api-keys.ts';
export * from './jobs.ts';
export * from './migrate.ts';
export * from './pool.ts';
