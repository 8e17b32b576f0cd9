export { buildApp } from './app.ts';
export { type IngressConfig, loadIngressConfig } from './config.ts';
export type { IngressDeps, IngressSettings } from './deps.ts';
export { JobWaiter } from './job-waiter.ts';
export { API_ROUTES } from './openapi/api-routes.ts';
export { registeredRoutes } from './openapi/registered-routes.ts';
export { type RunningIngress, startIngress } from './start-ingress.ts';
export { startIngressFromConfig } from './start-ingress-from-config.ts';
export { createHoldBatcher, type HoldBatcher } from './submission/hold-batcher.ts';
