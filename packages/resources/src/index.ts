export * from './billing.ts';
export * from './chat-completion.ts';
export * from './job-resource.ts';
export * from './margin-report.ts';
