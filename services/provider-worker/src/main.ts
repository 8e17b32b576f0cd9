import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadWorkerConfig } from './config.ts';
import { startProviderWorkerFromConfig } from './start-provider-worker-from-config.ts';

const config = loadWorkerConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'provider-worker' });
const worker = await startProviderWorkerFromConfig(config, logger);
// BullMQ's close waits for the jobs in hand; a job cut off by a kill is recovered as stalled.
closeOnSignal(logger, worker.close);
