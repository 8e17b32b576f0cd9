import { Worker } from 'node:worker_threads';
import type { GatewayMetrics, ThreadMetricsSource } from '@imagegate/telemetry';
import type { MetricsJson, ParentToThread, ThreadData, ThreadToParent } from './provider-worker-thread-messages.ts';

export interface ProviderWorkerThread {
  /** Closes the worker in its thread (jobs in hand finish, as on SIGTERM), then waits for the thread to end. */
  close(): Promise<void>;
}

/**
 * The provider worker in a worker thread of this process: what `./imagegate.sh start` runs beside
 * the ingress. The thread has its own event loop and its own heap, so reading megabytes of base64
 * from an upstream, decoding and storing it, and the garbage collections those buffers bring,
 * never stall the ingress's event loop, even on one core (the OS shares the core between threads
 * in slices of a few milliseconds). It talks to the ingress only through Redis and Postgres,
 * exactly as a worker in another process does.
 *
 * `metrics`: the process's registry, which then shows the thread's metrics at each scrape.
 * `onExit` hears of a thread that ended without being asked (a crash): the process should stop, so
 * whatever supervises it restarts the whole of it.
 */
export async function startProviderWorkerThread(
  env: Record<string, string | undefined>,
  options: {
    logLevel?: string | undefined;
    logName?: string | undefined;
    metrics?: GatewayMetrics | undefined;
    onExit?: (error: Error) => void;
  } = {},
): Promise<ProviderWorkerThread> {
  const data: ThreadData = {
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    logLevel: options.logLevel,
    logName: options.logName,
  };
  const thread = new Worker(new URL('./provider-worker-thread-main.ts', import.meta.url), { workerData: data });
  const send = (message: ParentToThread) => thread.postMessage(message);
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  let closing = false;

  await new Promise<void>((resolve, reject) => {
    const onReady = (message: ThreadToParent) => {
      if (message.type !== 'ready') return;
      thread.off('message', onReady);
      thread.off('error', reject);
      resolve();
    };
    thread.on('message', onReady);
    thread.once('error', reject);
    void exited.then((code) => reject(new Error(`the provider worker thread exited with ${code} before it was ready`)));
  });
  thread.on('error', (error) => {
    if (!closing) options.onExit?.(error);
  });
  void exited.then((code) => {
    if (!closing) options.onExit?.(new Error(`the provider worker thread exited with ${code}`));
  });

  // Each scrape asks the thread for its registry; an answer that never comes (the thread gone) counts as none.
  const waiting = new Map<number, (metrics: MetricsJson) => void>();
  let nextId = 0;
  thread.on('message', (message: ThreadToParent) => {
    if (message.type !== 'metrics') return;
    waiting.get(message.id)?.(message.metrics);
    waiting.delete(message.id);
  });
  const metricsSource: ThreadMetricsSource = () =>
    new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve([]);
      }, 2_000);
      waiting.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      send({ type: 'metrics', id });
    });
  options.metrics?.threadSources.add(metricsSource);

  return {
    async close() {
      if (closing) return;
      closing = true;
      options.metrics?.threadSources.delete(metricsSource);
      const answered = new Promise<void>((resolve, reject) => {
        thread.on('message', (message: ThreadToParent) => {
          if (message.type === 'closed') resolve();
          if (message.type === 'failed') reject(new Error(`the provider worker did not close: ${message.message}`));
        });
      });
      send({ type: 'close' });
      try {
        await Promise.race([answered, exited]);
      } finally {
        await thread.terminate();
      }
    },
  };
}
