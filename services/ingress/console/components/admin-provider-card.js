import { Card } from '../lib/components.js';
import { relative } from '../lib/format.js';
import { html } from '../lib/html.js';

/** Workers beat every 10 s; one not heard from for longer than two beats is likely gone. */
const STALE_AFTER_S = 20;

/** Seconds as "42 s", "3 min", "2 h". */
function age(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  return seconds < 90
    ? `${seconds} s`
    : seconds < 5400
      ? `${Math.round(seconds / 60)} min`
      : `${Math.round(seconds / 3600)} h`;
}

/** Calls in the last minute against the per-minute limit, as a bar that turns amber, then red. */
function CallMeter({ calls, limit }) {
  const share = limit > 0 ? Math.min(1, calls / limit) : 0;
  const level = share >= 0.9 ? 'high' : share >= 0.6 ? 'mid' : 'low';
  return html`<div class="admin-meter-block">
    <div class="admin-meter-label">
      <span>Calls in the last minute</span>
      <span class="mono" data-testid="calls-last-minute">${calls} / ${limit}</span>
    </div>
    <div class="admin-meter" role="meter" aria-label="Calls in the last minute" aria-valuemin="0" aria-valuemax=${limit} aria-valuenow=${calls}>
      <div class=${`admin-meter-fill ${level}`} style=${{ width: `${(share * 100).toFixed(1)}%` }}></div>
    </div>
  </div>`;
}

function Workers({ workers, now }) {
  if (workers.length === 0) return html`<p class="small admin-warn">No worker has reported for this provider.</p>`;
  return html`<ul class="admin-list">
    ${workers.map((worker) => {
      const since = Math.max(0, Math.round(now - worker.last_seen_at));
      const stale = since > STALE_AFTER_S;
      return html`<li key=${worker.id} class=${stale ? 'stale' : ''}>
        <span class="mono admin-ellipsis" title=${worker.id}>${worker.id}</span>
        <span class="small">
          ${stale ? html`<span class="badge status-failed">stale</span> ` : ''}${since <= 1 ? 'just now' : `${age(since)} ago`}
        </span>
      </li>`;
    })}
  </ul>`;
}

function Failures({ failures }) {
  if (failures.length === 0) return html`<p class="small muted">None in the last hour.</p>`;
  return html`<ul class="admin-list" aria-label="Recent failures">
    ${failures.map(
      (failure) =>
        html`<li key=${failure.code}><code>${failure.code}</code><span class="badge status-failed">${failure.count}</span></li>`,
    )}
  </ul>`;
}

/** One provider: its queue, its limits, a 429's pause, its workers and its recent failures. */
export function ProviderCard({ status, now }) {
  const { queue, limit } = status;
  const paused = status.paused_until !== null && status.paused_until > now;
  const badge = paused
    ? html`<span class="badge status-failed">paused</span>`
    : status.workers.length === 0
      ? html`<span class="badge status-queued">no workers</span>`
      : html`<span class="badge status-succeeded">serving</span>`;
  return html`<${Card} title=${status.provider} actions=${badge} className="admin-provider">
    <div class="admin-figures" aria-label="Queue">
      <div><div class="stat-label">Waiting</div><div class="admin-figure" data-testid="queue-waiting">${queue.waiting}</div></div>
      <div><div class="stat-label">Active</div><div class="admin-figure">${queue.active}</div></div>
      <div><div class="stat-label">Delayed</div><div class="admin-figure">${queue.delayed}</div></div>
      <div><div class="stat-label">Oldest</div><div class="admin-figure">${age(queue.oldest_waiting_age_s)}</div></div>
    </div>
    <${CallMeter} calls=${status.calls_last_minute} limit=${limit.requests_per_minute} />
    <div class="small muted">
      ${limit.requests_per_minute} calls/min · ${limit.concurrency} at once · ${limit.max_queued} queued at most
    </div>
    ${
      paused &&
      html`<div class="notice" role="status">Paused after a 429 from the provider: calls resume ${relative(status.paused_until, now * 1000)}.</div>`
    }
    <h3>Workers</h3>
    <${Workers} workers=${status.workers} now=${now} />
    <h3>Failures, last hour</h3>
    <${Failures} failures=${status.recent_failures} />
  <//>`;
}
