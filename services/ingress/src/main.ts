import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadIngressConfig } from './config.ts';
import { startIngressFromConfig } from './start-ingress-from-config.ts';

const config = loadIngressConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'ingress' });
const ingress = await startIngressFromConfig(config, logger);
logger.info({ url: ingress.url }, 'ingress listening');
closeOnSignal(logger, ingress.close);
