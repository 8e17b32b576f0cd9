export * from './forbidden-addresses.ts';
export * from './host-resolver.ts';
export * from './post-webhook.ts';
export * from './retry-schedule.ts';
export * from './sign-webhook.ts';
export * from './webhook-env.ts';
export * from './webhook-url-policy.ts';
