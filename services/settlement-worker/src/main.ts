import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadSettlementConfig } from './config.ts';
import { startSettlementWorkerFromConfig } from './start-settlement-worker-from-config.ts';

const config = loadSettlementConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'settlement-worker' });
const worker = await startSettlementWorkerFromConfig(config, logger);
logger.info('settlement worker running');
closeOnSignal(logger, worker.close);
