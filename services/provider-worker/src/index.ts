export { loadWorkerConfig, type WorkerConfig } from './config.ts';
export type { ProviderWorkerDeps, ProviderWorkerSettings } from './deps.ts';
export { sweepExpiredImages } from './image-retention.ts';
export { imageKey } from './processors/image-keys.ts';
export { PROVIDER_WORKER_DEFAULTS } from './provider-worker-defaults.ts';
export { type ProviderWorkerThread, startProviderWorkerThread } from './provider-worker-thread.ts';
export { type RunningProviderWorker, startProviderWorker } from './start-provider-worker.ts';
export { startProviderWorkerFromConfig } from './start-provider-worker-from-config.ts';
