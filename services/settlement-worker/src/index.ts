export { loadSettlementConfig, type SettlementConfig } from './config.ts';
export { runSettlementWorker } from './run-settlement-worker.ts';
export { type SettlementFaults, type SettlementOutcome, settleJob, settleJobs } from './settle-jobs.ts';
export { SETTLEMENT_DEFAULTS } from './settlement-defaults.ts';
export {
  type RunningSettlementWorker,
  type SettlementWorkerDeps,
  startSettlementWorker,
} from './start-settlement-worker.ts';
