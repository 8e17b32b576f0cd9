export * from './delete-prefix.ts';
export * from './job-events.ts';
export * from './provider-queue.ts';
export * from './queue-entry-states.ts';
export * from './queue-names.ts';
export * from './redis-connection.ts';
export * from './settlement-queue.ts';
export * from './webhook-queue.ts';
