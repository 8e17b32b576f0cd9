import { generationJobPayloadSchema } from '@imagegate/contracts';
import { contextOfTraceparent, inSpan, type Telemetry } from '@imagegate/telemetry';
import type { Job } from 'bullmq';

/**
 * Runs each attempt at a queue entry in a `worker attempt` span continuing the trace its entry
 * carries (the submitting request's), so the upstream calls, the store and the ending join it.
 */
export function inAttemptSpan<Data, Result>(
  telemetry: Telemetry,
  provider: string,
  processor: (queueJob: Job<Data>) => Promise<Result>,
): (queueJob: Job<Data>) => Promise<Result> {
  const { tracer, enabled } = telemetry.tracing;
  if (!enabled) return processor;
  return (queueJob) => {
    const payload = generationJobPayloadSchema.safeParse(queueJob.data);
    const attributes = {
      'imagegate.job_id': payload.data?.jobId ?? '',
      'imagegate.provider': provider,
      'imagegate.attempt': queueJob.attemptsMade + 1,
    };
    return inSpan(
      tracer,
      'worker attempt',
      attributes,
      () => processor(queueJob),
      contextOfTraceparent(payload.data?.traceparent),
    );
  };
}
