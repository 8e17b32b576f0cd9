import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadSettlementConfig } from './config.ts';
import { runSettlementWorker } from './run-settlement-worker.ts';

const config = loadSettlementConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'settlement-worker' });
const worker = await runSettlementWorker(config, logger);
logger.info('settlement worker running');
closeOnSignal(logger, worker.close);
