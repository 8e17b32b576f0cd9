export * from './containers.ts';
export * from './job-fixtures.ts';
export * from './money-invariants.ts';
export * from './provided.ts';
export * from './test-bucket.ts';
export * from './test-database.ts';
export * from './test-redis.ts';
export * from './webhook-invariants.ts';
