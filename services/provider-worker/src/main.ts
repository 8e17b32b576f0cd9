import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadWorkerConfig } from './config.ts';
import { runProviderWorker } from './run-provider-worker.ts';

const config = loadWorkerConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'provider-worker' });
const worker = await runProviderWorker(config, logger);
// BullMQ's close waits for the jobs in hand; a job cut off by a kill is recovered as stalled.
closeOnSignal(logger, worker.close);
