/**
 * The queues. BullMQ refuses ':' in queue names (it separates key parts), so the design's
 * "provider:<provider>" is spelled `provider-<provider>`.
 */
export function providerQueueName(provider: string): string {
  return `provider-${provider}`;
}

/** Redis pub/sub channel on which workers announce terminal jobs to waiting ingress processes. */
export function jobEventsChannel(prefix: string): string {
  return `${prefix}:events:job-finished`;
}

/** Redis pub/sub channel on which ingress asks workers to abort a running job. */
export function jobCancelChannel(prefix: string): string {
  return `${prefix}:events:job-cancel`;
}

/** Redis pub/sub channel announcing that a job's progress stream has something new (the message is the job id). */
export function jobProgressChannel(prefix: string): string {
  return `${prefix}:events:job-progress`;
}

/** The Redis stream of one job's progress events (partials, stored images), expiring a day after the last. */
export function jobProgressKey(prefix: string, jobId: string): string {
  return `${prefix}:progress:${jobId}`;
}

/** Set by every worker serving `provider`, expiring unless renewed: "someone serves this queue". */
export function workerHeartbeatKey(prefix: string, provider: string): string {
  return `${prefix}:workers:${provider}`;
}
