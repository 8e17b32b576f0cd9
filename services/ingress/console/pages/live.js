import { promptOf } from '../components/user-job-images.js';
import { api } from '../lib/api.js';
import { Card, ErrorBox, Loading, StatusBadge } from '../lib/components.js';
import { dateTime, relative } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html } from '../lib/html.js';
import { href } from '../lib/router.js';

/** Far more than one account keeps in flight in the console's use; the page says when there are more. */
const LIMIT = 100;

/** Where a queued job stands: its place in its provider's queue (1 = next) and the jobs ahead of it. */
function Position({ job }) {
  if (job.status !== 'queued' || job.queue_position === null) return html`<span class="muted">—</span>`;
  const ahead = job.queue_position;
  return html`<strong>#${ahead + 1}</strong> <span class="muted small">${ahead === 0 ? 'next' : `${ahead} ahead`}</span>`;
}

/** When a queued job should start (a moment already past reads "any moment"), or how long a running one has run. */
function Start({ job, now }) {
  if (job.status === 'in_progress') {
    return html`<span title=${dateTime(job.started_at)}>started ${relative(job.started_at, now)}</span>`;
  }
  if (job.estimated_start_at === null) return html`<span class="muted">—</span>`;
  const soon = job.estimated_start_at * 1000 < now + 1000;
  return html`<span title=${dateTime(job.estimated_start_at)}>${soon ? 'any moment' : relative(job.estimated_start_at, now)}</span>`;
}

/** The account's queued and running jobs, read again every 2 s: a job leaves the list when it ends. */
export function LivePage() {
  const jobs = useLoad(() => api(`/v1/images/jobs?status=queued,in_progress&limit=${LIMIT}`), [], { everyMs: 2000 });
  const list = jobs.data?.data ?? [];
  const now = Date.now();
  return html`
    <header class="page-head">
      <h1>Running</h1>
      <span class="live-dot" aria-hidden="true"></span>
      <span class="muted small">Updates every 2 s</span>
    </header>
    <${Card} className="live">
      <${ErrorBox} error=${jobs.error} />
      ${jobs.data === undefined && jobs.loading && html`<${Loading} what="Loading running jobs" />`}
      ${
        jobs.data !== undefined &&
        html`<table class="live-table">
        <thead>
          <tr><th>Job</th><th>Status</th><th>Model</th><th>Position</th><th>Start</th><th>Submitted</th></tr>
        </thead>
        <tbody>
          ${list.map(
            (job) => html`<tr key=${job.id} data-job=${job.id}>
              <td class="job-cell">
                <a class="mono" href=${href(`/jobs/${job.id}`)}>${job.id}</a>
                <div class="prompt-line muted" title=${promptOf(job)}>${promptOf(job)}</div>
              </td>
              <td><${StatusBadge} status=${job.status} /></td>
              <td class="nowrap">${job.model}</td>
              <td class="nowrap"><${Position} job=${job} /></td>
              <td class="nowrap"><${Start} job=${job} now=${now} /></td>
              <td class="nowrap" title=${dateTime(job.created_at)}>${relative(job.created_at, now)}</td>
            </tr>`,
          )}
          ${list.length === 0 && html`<tr><td colspan="6" class="muted empty">Nothing is queued or running.</td></tr>`}
        </tbody>
      </table>
      ${jobs.data.has_more && html`<p class="muted small">Showing the newest ${LIMIT}; more are in flight.</p>`}`
      }
    <//>
  `;
}
