import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadWebhookWorkerConfig } from './config.ts';
import { startWebhookWorkerFromConfig } from './start-webhook-worker-from-config.ts';

const config = loadWebhookWorkerConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'webhook-worker' });
const worker = await startWebhookWorkerFromConfig(config, logger);
logger.info('webhook worker running');
// Deliveries in flight finish (bounded by WEBHOOK_TIMEOUT_MS); one cut off by a kill is recovered as stalled.
closeOnSignal(logger, worker.close);
