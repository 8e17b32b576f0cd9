import { ApiError, api, apiResponse } from '../lib/api.js';
import { useEffect, useRef, useState } from '../lib/html.js';
import { postEventStream } from '../lib/sse.js';

/** How often a job is read while it runs. */
const POLL_MS = 1000;
const FINAL = new Set(['succeeded', 'failed', 'canceled']);

const IDLE = {
  phase: 'idle',
  jobId: null,
  job: null,
  images: [],
  partials: [],
  events: [],
  billing: null,
  warnings: [],
};

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });

/** A job's error object (failed or canceled) as the ApiError the page shows. */
const jobError = (job) => new ApiError(0, { error: job.error ?? { message: `The job ended ${job.status}.` } });

/** An image of a stream event as a `data:` URL (the events carry base64, not URLs). */
const dataUrl = (event) => `data:image/${event.output_format ?? 'png'};base64,${event.b64_json}`;

/**
 * Sends the playground's request and follows it to its images, the way the user asked:
 * - `wait`: the API answers with the images (or a 202 with the job when it took too long: then polled);
 * - `job`: `Prefer: respond-async`, the job id at once, then the job polled until it ends;
 * - a stream: the events read as they arrive, partial images first, then each completed image.
 * One run at a time; a new one (or leaving the page) abandons the previous run's reading, never the job.
 */
export function useRun() {
  const [state, setState] = useState(IDLE);
  const current = useRef(null);
  useEffect(() => () => current.current?.abort(), []);

  const update = (controller, change) => {
    if (current.current === controller) setState((previous) => ({ ...previous, ...change(previous) }));
  };

  async function follow(controller, jobId) {
    update(controller, () => ({ phase: 'running', jobId }));
    while (!controller.signal.aborted) {
      const job = await api(`/v1/images/jobs/${encodeURIComponent(jobId)}`, { signal: controller.signal });
      update(controller, () => ({ job }));
      if (FINAL.has(job.status)) {
        if (job.status !== 'succeeded') throw jobError(job);
        return finish(controller, job.result, job);
      }
      await sleep(POLL_MS, controller.signal);
    }
  }

  function finish(controller, body, job = null) {
    update(controller, () => ({
      phase: 'done',
      job,
      jobId: body.extra?.job_id ?? job?.id ?? null,
      images: (body.data ?? []).map((item) => item.url ?? `data:image/${body.output_format};base64,${item.b64_json}`),
      billing: job?.billing ?? body.extra?.billing ?? null,
      warnings: body.extra?.warnings ?? [],
    }));
  }

  async function stream(controller, request) {
    const started = performance.now();
    const seconds = () => Math.round((performance.now() - started) / 100) / 10;
    let jobId = null;
    const events = postEventStream(request.path, {
      body: request.body,
      form: request.form,
      signal: controller.signal,
      onOpen: (headers) => {
        jobId = headers.get('x-imagegate-job-id');
        update(controller, () => ({ phase: 'streaming', jobId }));
      },
    });
    for await (const { event, data } of events) {
      if (event === 'error' || data.type === 'error') throw new ApiError(0, data);
      const partial = event.endsWith('.partial_image');
      if (!partial && !event.endsWith('.completed')) continue;
      jobId = data.extra?.job_id ?? jobId;
      const label = partial ? `partial ${data.partial_image_index + 1}` : 'completed';
      update(controller, (previous) => ({
        events: [...previous.events, { label, at: seconds() }],
        ...(partial
          ? { partials: [...previous.partials, dataUrl(data)] }
          : { images: [...previous.images, dataUrl(data)], jobId: jobId ?? previous.jobId }),
      }));
    }
    // The stream carries images only: the job says what they cost and what was approximated.
    const job = jobId ? await api(`/v1/images/jobs/${encodeURIComponent(jobId)}`, { signal: controller.signal }) : null;
    // A stream can end before its job does (the ingress shutting down, an hour passed): follow the job.
    if (job !== null && !FINAL.has(job.status)) return follow(controller, jobId);
    update(controller, () => ({
      phase: 'done',
      job,
      billing: job?.billing ?? null,
      warnings: job?.result?.extra?.warnings ?? [],
    }));
  }

  async function run(request) {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setState({ ...IDLE, phase: 'sending', streaming: request.streaming });
    try {
      if (request.streaming) return await stream(controller, request);
      const headers = request.delivery === 'job' ? { Prefer: 'respond-async' } : {};
      const { status, data } = await apiResponse(request.path, {
        method: 'POST',
        body: request.body,
        form: request.form,
        headers,
        signal: controller.signal,
      });
      if (status === 202) return await follow(controller, data.id);
      return finish(controller, data);
    } catch (error) {
      if (!controller.signal.aborted) update(controller, () => ({ phase: 'failed', error }));
    }
  }

  return { state, run };
}
