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

/** Set by every worker serving `provider`, expiring unless renewed: "someone serves this queue". */
export function workerHeartbeatKey(prefix: string, provider: string): string {
  return `${prefix}:workers:${provider}`;
}
