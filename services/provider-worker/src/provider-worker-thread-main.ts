/**
 * The body of `startProviderWorkerThread`: the provider worker, configured from the environment the
 * parent handed over, in a thread of its own. Its metrics stay here and are read by the parent at
 * each scrape; its spans go wherever the environment sends them. It answers `close` by closing the
 * worker (jobs in hand finish or are handed back, as on SIGTERM), after which the thread ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '@imagegate/core';
import { createTelemetry, tracingOptionsOf } from '@imagegate/telemetry';
import { loadWorkerConfig } from './config.ts';
import type { ParentToThread, ThreadData, ThreadToParent } from './provider-worker-thread-messages.ts';
import { startProviderWorkerFromConfig } from './start-provider-worker-from-config.ts';

const port = parentPort;
if (port === null) throw new Error('provider-worker-thread-main.ts runs as a worker thread');
const data = workerData as ThreadData;
const send = (message: ThreadToParent) => port.postMessage(message);

const config = loadWorkerConfig(data.env);
const logger = createLogger({ level: data.logLevel ?? config.LOG_LEVEL, name: data.logName }).child({
  service: 'provider-worker',
});
// No process metrics here: the parent's registry has them, and adds this thread's to its own.
const telemetry = await createTelemetry(tracingOptionsOf(config, 'imagegate-provider-worker'), {
  processMetrics: false,
});
const worker = await startProviderWorkerFromConfig(config, logger, { telemetry });

port.on('message', (message: ParentToThread) => {
  if (message.type === 'metrics') {
    telemetry.metrics.registry
      .getMetricsAsJSON()
      .then((metrics) => send({ type: 'metrics', id: message.id, metrics }))
      .catch(() => send({ type: 'metrics', id: message.id, metrics: [] }));
    return;
  }
  worker
    .close()
    .then(() => telemetry.tracing.shutdown())
    .then(
      () => {
        send({ type: 'closed' });
        port.close();
      },
      (error: unknown) => send({ type: 'failed', message: String(error) }),
    );
});
send({ type: 'ready' });
