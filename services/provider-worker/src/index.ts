export { loadWorkerConfig, type WorkerConfig } from './config.ts';
export type { ProviderWorkerDeps, ProviderWorkerSettings } from './deps.ts';
export { imageKey } from './processors/generate-image.ts';
export { PROVIDER_WORKER_DEFAULTS } from './provider-worker-defaults.ts';
export { runProviderWorker } from './run-provider-worker.ts';
export { type RunningProviderWorker, startProviderWorker } from './start-provider-worker.ts';
