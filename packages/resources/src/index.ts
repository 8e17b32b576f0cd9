export * from './billing.ts';
export * from './job-resource.ts';
export * from './margin-report.ts';
