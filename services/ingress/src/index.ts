export { buildApp } from './app.ts';
export { type IngressConfig, loadIngressConfig } from './config.ts';
export type { IngressDeps, IngressSettings } from './deps.ts';
export { JobWaiter } from './job-waiter.ts';
export { runIngress } from './run-ingress.ts';
export { type RunningIngress, startIngress } from './start-ingress.ts';
export { createHoldBatcher, type HoldBatcher } from './submission/hold-batcher.ts';
