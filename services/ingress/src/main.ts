import { closeOnSignal, createLogger } from '@imagegate/core';
import { loadIngressConfig } from './config.ts';
import { runIngress } from './run-ingress.ts';

const config = loadIngressConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'ingress' });
const ingress = await runIngress(config, logger);
logger.info({ url: ingress.url }, 'ingress listening');
closeOnSignal(logger, ingress.close);
