import { isFinal } from '../components/user-format.js';
import { imageUrlsOf, JobThumb, promptOf } from '../components/user-job-images.js';
import { useCursorPages } from '../components/user-paging.js';
import { api, query } from '../lib/api.js';
import { Card, ErrorBox, Loading, Pager, StatusBadge } from '../lib/components.js';
import { dateTime, relative, usd } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html, useRef } from '../lib/html.js';
import { href } from '../lib/router.js';

const PAGE_SIZE = 20;

/** What a job costs as the list shows it: the charge once final, the hold while it runs. */
function Price({ job }) {
  if (isFinal(job.status)) return usd(job.billing.charged_usd);
  return html`<span class="muted" title="Held until the job is settled">${usd(job.billing.held_usd)} held</span>`;
}

/**
 * The first image URL of each job as first seen: a presigned URL changes on every read, and the
 * thumbnail should not load again each time the list refreshes.
 */
function useFirstImages() {
  const seen = useRef(new Map());
  return (job) => {
    if (!seen.current.has(job.id)) {
      const [url] = imageUrlsOf(job);
      if (url !== undefined) seen.current.set(job.id, url);
    }
    return seen.current.get(job.id);
  };
}

/** The account's jobs, newest first, a page at a time; refreshed every few seconds (new jobs, statuses). */
export function JobsPage() {
  const pages = useCursorPages();
  const firstImage = useFirstImages();
  const jobs = useLoad(() => api(`/v1/images/jobs${query({ limit: PAGE_SIZE, after: pages.after })}`), [pages.after], {
    everyMs: 3000,
  });
  const list = jobs.data?.data ?? [];
  const open = (id) => {
    location.hash = href(`/jobs/${id}`);
  };
  return html`
    <header class="page-head"><h1>Jobs</h1></header>
    <${Card} className="jobs">
      <${ErrorBox} error=${jobs.error} />
      ${jobs.data === undefined && jobs.loading && html`<${Loading} what="Loading jobs" />`}
      ${
        jobs.data !== undefined &&
        html`<table class="job-table">
        <thead>
          <tr><th></th><th>Job</th><th>Status</th><th>Operation</th><th>Model</th><th class="num">Price</th><th>Created</th></tr>
        </thead>
        <tbody>
          ${list.map(
            (job) => html`<tr key=${job.id} class="clickable" onClick=${() => open(job.id)}>
              <td class="thumb-cell"><${JobThumb} job=${job} url=${firstImage(job)} count=${imageUrlsOf(job).length} /></td>
              <td class="job-cell">
                <a class="mono" href=${href(`/jobs/${job.id}`)}>${job.id}</a>
                <div class="prompt-line muted" title=${promptOf(job)}>${promptOf(job)}</div>
              </td>
              <td><${StatusBadge} status=${job.status} /></td>
              <td>${job.operation}</td>
              <td class="nowrap">${job.model}</td>
              <td class="num nowrap"><${Price} job=${job} /></td>
              <td class="nowrap" title=${dateTime(job.created_at)}>${relative(job.created_at)}</td>
            </tr>`,
          )}
          ${list.length === 0 && html`<tr><td colspan="7" class="muted">No jobs yet: try the playground.</td></tr>`}
        </tbody>
      </table>
      <${Pager} cursors=${pages.cursors} hasMore=${jobs.data.has_more} onNewer=${pages.newer}
        onOlder=${() => pages.older(jobs.data.last_id)} />`
      }
    <//>
  `;
}
