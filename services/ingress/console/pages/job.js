import { isFinal } from '../components/user-format.js';
import { JobBilling, JobImages, RoutingAttempts } from '../components/user-job-outcome.js';
import { JobRequest } from '../components/user-job-request.js';
import { WebhookDeliveries } from '../components/user-webhook-deliveries.js';
import { api } from '../lib/api.js';
import { Card, ErrorBox, Loading, StatusBadge } from '../lib/components.js';
import { dateTime, relative } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html, useEffect, useState } from '../lib/html.js';
import { href } from '../lib/router.js';

/** When it happened, and how long ago (or until). */
function When({ at }) {
  if (at === null || at === undefined) return html`<span class="muted">—</span>`;
  return html`${dateTime(at)} <span class="muted">(${relative(at)})</span>`;
}

function Timeline({ job }) {
  return html`<dl class="facts">
    <dt>Operation</dt><dd>${job.operation}</dd>
    <dt>Model</dt><dd>${job.model}</dd>
    <dt>Created</dt><dd><${When} at=${job.created_at} /></dd>
    ${
      job.status === 'queued' &&
      html`<dt>Queue position</dt><dd>${job.queue_position === null ? '—' : `#${job.queue_position + 1}`}</dd>
      <dt>Estimated start</dt><dd><${When} at=${job.estimated_start_at} /></dd>`
    }
    <dt>Started</dt><dd><${When} at=${job.started_at} /></dd>
    <dt>Completed</dt><dd><${When} at=${job.completed_at} /></dd>
  </dl>`;
}

function CancelButton({ job, onCanceled }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);
  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api(`/v1/images/jobs/${job.id}/cancel`, { method: 'POST' });
      await onCanceled();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" class="danger" disabled=${busy} onClick=${cancel}>${busy ? 'Canceling…' : 'Cancel job'}</button>
    <${ErrorBox} error=${error} />`;
}

/** One job, refreshed every 2 s until it is final. */
function JobDetail({ id }) {
  const [live, setLive] = useState(true);
  const loaded = useLoad(() => api(`/v1/images/jobs/${encodeURIComponent(id)}`), [id], {
    everyMs: live ? 2000 : undefined,
  });
  const job = loaded.data;
  const final = job !== undefined && isFinal(job.status);
  useEffect(() => setLive(!final && loaded.error?.status !== 404), [final, loaded.error]);

  if (job === undefined) {
    return html`<${ErrorBox} error=${loaded.error} />${loaded.loading && html`<${Loading} what="Loading the job" />`}`;
  }
  return html`
    <header class="page-head">
      <a href=${href('/jobs')} class="muted">← Jobs</a>
      <h1 class="mono">${job.id}</h1>
      <${StatusBadge} status=${job.status} />
      ${!final && html`<span class="muted small">updating…</span>`}
      <div class="page-actions">${!final && html`<${CancelButton} job=${job} onCanceled=${loaded.reload} />`}</div>
    </header>
    <${ErrorBox} error=${loaded.error} />
    ${job.error && html`<${ErrorBox} error=${job.error} />`}
    <div class="grid-2">
      <${Card} title="Request"><${JobRequest} job=${job} /><//>
      <${Card} title="Timeline"><${Timeline} job=${job} /><//>
    </div>
    ${job.status === 'succeeded' && html`<${JobImages} job=${job} />`}
    <div class="grid-2">
      <${RoutingAttempts} job=${job} />
      <${JobBilling} job=${job} />
    </div>
    <${WebhookDeliveries} job=${job} />
  `;
}

export function JobPage({ params }) {
  // Keyed by id: another job starts from nothing, never from the previous job's data.
  return html`<${JobDetail} key=${params.id} id=${params.id} />`;
}
