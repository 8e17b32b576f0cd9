import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadWebhookWorkerConfig } from './config.ts';
import { runWebhookWorker } from './run-webhook-worker.ts';

const config = loadWebhookWorkerConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'webhook-worker' });
const worker = await runWebhookWorker(config, logger);
logger.info('webhook worker running');
// Deliveries in flight finish (bounded by WEBHOOK_TIMEOUT_MS); one cut off by a kill is recovered as stalled.
closeOnSignal(logger, worker.close);
