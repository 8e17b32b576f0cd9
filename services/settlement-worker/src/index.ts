export { loadSettlementConfig, type SettlementConfig } from './config.ts';
export { forgetGoneConsumers } from './forget-gone-consumers.ts';
export { type SettlementFaults, type SettlementOutcome, settleJob, settleJobs } from './settle-jobs.ts';
export { SETTLEMENT_DEFAULTS } from './settlement-defaults.ts';
export {
  type RunningSettlementWorker,
  type SettlementWorkerDeps,
  startSettlementWorker,
} from './start-settlement-worker.ts';
export { startSettlementWorkerFromConfig } from './start-settlement-worker-from-config.ts';
