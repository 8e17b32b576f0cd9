import { createLogger } from '@imagegate/core';
import { loadIngressConfig } from './config.ts';
import { runIngress } from './run-ingress.ts';

const config = loadIngressConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'ingress' });
const ingress = await runIngress(config, logger);
logger.info({ url: ingress.url }, 'ingress listening');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    ingress.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
