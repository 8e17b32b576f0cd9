export * from './billing.ts';
export * from './job-resource.ts';
