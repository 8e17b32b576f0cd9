export { buildApp } from './app.ts';
export { type IngressConfig, loadIngressConfig } from './config.ts';
export type { IngressDeps, IngressSettings } from './deps.ts';
export { JobWaiter } from './job-waiter.ts';
export { type RunningIngress, startIngress } from './start-ingress.ts';
export { startIngressFromConfig } from './start-ingress-from-config.ts';
export { createHoldBatcher, type HoldBatcher } from './submission/hold-batcher.ts';
