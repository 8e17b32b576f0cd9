import type { ThreadMetricsSource } from '@imagegate/telemetry';

/** A registry's metrics as prom-client's JSON. */
export type MetricsJson = Awaited<ReturnType<ThreadMetricsSource>>;

/** What `startProviderWorkerThread` hands its thread, and the messages between them. */
export interface ThreadData {
  env: Record<string, string>;
  logLevel?: string | undefined;
  logName?: string | undefined;
}

export type ParentToThread = { type: 'close' } | { type: 'metrics'; id: number };

export type ThreadToParent =
  | { type: 'ready' }
  | { type: 'closed' }
  | { type: 'failed'; message: string }
  | { type: 'metrics'; id: number; metrics: MetricsJson };
