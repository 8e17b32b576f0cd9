import { isTerminal, type JobProgressEvent } from '@imagegate/contracts';
import { findJob, type JobRow } from '@imagegate/db';
import type { Response } from 'express';
import type { Acceptance, SubmissionDeps } from '../submission/accept-job.ts';

/** The longest a stream follows a job before it ends with a pointer to the job (its deadline is shorter). */
const LONGEST_STREAM_MS = 60 * 60 * 1000;

/** How following a job came out: it ended, the client left, or it is still running (shutdown, an hour). */
export type FollowOutcome = { kind: 'ended'; job: JobRow } | { kind: 'left' } | { kind: 'running' };

/**
 * What every streamed answer shares: hands each progress event of the job to `onEvent` as it comes
 * (from the start of the job's progress stream), and resolves when the job ended, the client left,
 * or the wait ran out. A job already ended is not followed. Stops following on every path.
 */
export async function followJob(
  deps: SubmissionDeps,
  response: Response,
  acceptance: Exclude<Acceptance, { kind: 'client_gone' }>,
  onEvent: (event: JobProgressEvent) => Promise<void> | undefined,
): Promise<FollowOutcome> {
  const jobId = acceptance.job.id;
  let stopFollowing = () => {};
  if (acceptance.kind !== 'finished') {
    stopFollowing = deps.progress.follow(jobId, (entries) => {
      for (const entry of entries) onEvent(entry.event)?.catch(() => {});
    });
  }
  let job: JobRow | undefined = acceptance.job;
  try {
    if (!isTerminal(job.status)) {
      if (response.destroyed) return { kind: 'left' }; // the client left during the submission
      const clientGone = new AbortController();
      response.on('close', () => clientGone.abort());
      const ended = deps.waiter.wait(jobId, LONGEST_STREAM_MS, clientGone.signal);
      // A job that ended between the submission and the wait's start is found here.
      job = await findJob(deps.pool, jobId);
      const outcome = job !== undefined && isTerminal(job.status) ? 'finished' : (await ended).outcome;
      if (outcome === 'aborted') return { kind: 'left' };
      job = await findJob(deps.pool, jobId);
    }
  } finally {
    stopFollowing();
  }
  return job !== undefined && isTerminal(job.status) ? { kind: 'ended', job } : { kind: 'running' };
}
