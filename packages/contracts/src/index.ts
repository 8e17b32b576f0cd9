export * from './generation-extra.ts';
export * from './generation-parameters.ts';
export * from './generation-request.ts';
export * from './job-resource.ts';
export * from './queue-payloads.ts';
export * from './webhook-event.ts';
export * from './zod-error.ts';
