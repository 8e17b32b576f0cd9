import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadIngressConfig } from './config.ts';
import { startIngressFromConfig } from './start-ingress-from-config.ts';

const config = loadIngressConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'ingress' });
const ingress = await startIngressFromConfig(config, logger);
logger.info({ url: ingress.url }, 'ingress listening');
closeOnSignal(logger, ingress.close);
// `close()` answers every client within the grace; whatever still holds the process then does not.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    setTimeout(() => {
      logger.warn({ graceMs: config.SHUTDOWN_GRACE_MS }, 'shutdown grace ran out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
  });
}
