import { Card } from '../lib/components.js';
import { dateTime, usd } from '../lib/format.js';
import { html, useState } from '../lib/html.js';
import { duration } from './user-format.js';
import { imageUrlsOf } from './user-job-images.js';

/** The file name a downloaded image gets: the job and its index, with the job's output format. */
function fileNameOf(job, index) {
  const format = job.result?.output_format ?? job.request?.output_format ?? 'png';
  return `${job.id}-${index + 1}.${format === 'jpeg' ? 'jpg' : format}`;
}

/** The images at full size, each with a link to open and to download it. */
export function JobImages({ job }) {
  // The URLs first shown: a later read presigns new ones, and the images should not load again.
  const [urls] = useState(() => imageUrlsOf(job));
  const text = job.result?.object === 'chat.completion' ? job.result.choices?.[0]?.message?.content : undefined;
  let body;
  if (job.images_expired_at) {
    body = html`<p class="muted">The images were deleted ${dateTime(job.images_expired_at)} (retention).</p>`;
  } else if (urls.length === 0) {
    body = html`<p class="muted">No images.</p>`;
  } else {
    body = html`<div class="result-images">
      ${urls.map(
        (url, index) => html`<figure>
          <a href=${url} target="_blank" rel="noopener noreferrer"><img src=${url} alt=${`Image ${index + 1} of ${job.id}`} /></a>
          <figcaption>
            <span>Image ${index + 1}${job.result?.size ? ` · ${job.result.size}` : ''}</span>
            <a href=${url} download=${fileNameOf(job, index)} target="_blank" rel="noopener noreferrer">Download</a>
          </figcaption>
        </figure>`,
      )}
    </div>`;
  }
  return html`<${Card} title=${`Result${urls.length > 1 ? ` (${urls.length} images)` : ''}`} className="job-result">
    ${text && html`<p class="assistant-text">${text}</p>`}
    ${body}
  <//>`;
}

/** Every attempt on every model of the route, in order. */
export function RoutingAttempts({ job }) {
  const attempts = job.routing?.attempts ?? [];
  return html`<${Card} title="Routing attempts">
    ${
      attempts.length === 0
        ? html`<p class="muted">No attempt yet.</p>`
        : html`<table class="routing">
          <thead><tr><th>#</th><th>Provider</th><th>Model</th><th>Outcome</th><th class="num">Duration</th></tr></thead>
          <tbody>
            ${attempts.map(
              (attempt, index) => html`<tr>
                <td class="muted">${index + 1}</td>
                <td>${attempt.provider}</td>
                <td class="nowrap">${attempt.model}</td>
                <td><span class=${`badge status-${attempt.status}`}>${attempt.status.replace('_', ' ')}</span>
                  ${attempt.error_code && html` <span class="mono small">${attempt.error_code}</span>`}
                  ${attempt.upstream_code && html` <span class="muted small">(upstream: ${attempt.upstream_code})</span>`}</td>
                <td class="num">${duration(attempt.duration_ms)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
    }
  <//>`;
}

/** What the job holds, costs and gave back; the upstream's cost when the API shows it. */
export function JobBilling({ job }) {
  const billing = job.billing;
  return html`<${Card} title="Billing">
    <dl class="facts" data-testid="billing">
      <dt>Held</dt><dd>${usd(billing.held_usd)}</dd>
      <dt>Charged</dt><dd data-testid="charged">${usd(billing.charged_usd)}</dd>
      <dt>Refunded</dt><dd>${usd(billing.refunded_usd)}</dd>
      <dt>Price per image</dt><dd>${usd(billing.unit_price_usd)}</dd>
      <dt>Markup</dt><dd>×${billing.markup}</dd>
      ${
        billing.upstream_cost_usd !== null &&
        billing.upstream_cost_usd !== undefined &&
        html`<dt>Upstream cost</dt><dd data-testid="upstream-cost">${usd(billing.upstream_cost_usd)}</dd>`
      }
    </dl>
  <//>`;
}
