import { createLogger } from '@imagegate/core';
import { loadWorkerConfig } from './config.ts';
import { runProviderWorker } from './run-provider-worker.ts';

const config = loadWorkerConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'provider-worker' });
const worker = await runProviderWorker(config, logger);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    // BullMQ's close waits for the jobs in hand; a job cut off later is recovered as stalled.
    logger.info({ signal }, 'draining');
    worker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
