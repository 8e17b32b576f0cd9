export { loadWebhookWorkerConfig, type WebhookWorkerConfig } from './config.ts';
export type { WebhookWorkerDeps, WebhookWorkerSettings } from './deps.ts';
export { type RunningWebhookWorker, startWebhookWorker } from './start-webhook-worker.ts';
export { startWebhookWorkerFromConfig } from './start-webhook-worker-from-config.ts';
export { WEBHOOK_WORKER_DEFAULTS } from './webhook-worker-defaults.ts';
