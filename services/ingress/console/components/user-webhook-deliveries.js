import { api } from '../lib/api.js';
import { Card, ErrorBox, StatusBadge } from '../lib/components.js';
import { dateTime, relative } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html, useEffect, useState } from '../lib/html.js';
import { duration } from './user-format.js';

/** How long the list keeps refreshing after "Send again", for the new attempt to show up. */
const WATCH_AFTER_SEND_MS = 20_000;

function Attempts({ attempts }) {
  if (attempts.length === 0) return html`<p class="muted small">No attempt yet.</p>`;
  return html`<table class="attempts">
    <thead><tr><th>Attempted</th><th>Answer</th><th class="num">Took</th><th>Error</th></tr></thead>
    <tbody>
      ${attempts.map(
        (attempt) => html`<tr>
          <td class="nowrap">${dateTime(attempt.attempted_at)}</td>
          <td>${attempt.status_code === null ? html`<span class="muted">no answer</span>` : html`<span class="mono">HTTP ${attempt.status_code}</span>`}
            ${attempt.response_excerpt && html`<div class="small muted mono excerpt">${attempt.response_excerpt}</div>`}</td>
          <td class="num">${duration(attempt.duration_ms)}</td>
          <td>${attempt.error ?? html`<span class="muted">—</span>`}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function Delivery({ delivery, onSend, sending }) {
  return html`<article class="delivery" data-testid="webhook-delivery">
    <header class="delivery-head">
      <div>
        <${StatusBadge} status=${delivery.status} /> <span class="mono">${delivery.event_type}</span>
        <div class="small muted mono">${delivery.id} → ${delivery.url}</div>
        ${delivery.next_attempt_at && html`<div class="small muted">Next attempt ${relative(delivery.next_attempt_at)}</div>`}
      </div>
      <button type="button" disabled=${sending} onClick=${() => onSend(delivery.id)}>${sending ? 'Sending…' : 'Send again'}</button>
    </header>
    <${Attempts} attempts=${delivery.attempts} />
  </article>`;
}

/**
 * The job's webhook deliveries and their attempts; "Send again" posts the event once more (same
 * webhook-id) and the list refreshes until the new attempt is there.
 */
export function WebhookDeliveries({ job }) {
  const [watchUntil, setWatchUntil] = useState(0);
  const [sending, setSending] = useState(undefined);
  const [sendError, setSendError] = useState(undefined);
  const path = `/v1/images/jobs/${job.id}/webhook_deliveries`;
  const [watching, setWatching] = useState(true);
  // Reloaded when the job ends (its delivery is written then), and every 2 s while one may change.
  const deliveries = useLoad(() => api(path), [path, job.status], { everyMs: watching ? 2000 : undefined });
  const list = deliveries.data?.data ?? [];
  const pending = list.some((delivery) => delivery.status === 'pending') || Date.now() < watchUntil;
  useEffect(() => setWatching(pending), [pending]);

  const send = async (deliveryId) => {
    setSending(deliveryId);
    setSendError(undefined);
    try {
      await api(`${path}/${deliveryId}/retry`, { method: 'POST' });
      setWatchUntil(Date.now() + WATCH_AFTER_SEND_MS);
      await deliveries.reload();
    } catch (error) {
      setSendError(error);
    } finally {
      setSending(undefined);
    }
  };

  if (list.length === 0 && job.request?.webhook_url === undefined) {
    return html`<${Card} title="Webhook deliveries"><p class="muted">This job was submitted without a webhook URL.</p><//>`;
  }
  return html`<${Card} title="Webhook deliveries" actions=${pending && html`<span class="muted small">updating…</span>`}>
    <${ErrorBox} error=${deliveries.error ?? sendError} />
    ${list.length === 0 && html`<p class="muted">No delivery yet: the event is sent when the job ends.</p>`}
    ${list.map((delivery) => html`<${Delivery} key=${delivery.id} delivery=${delivery} onSend=${send} sending=${sending === delivery.id} />`)}
  <//>`;
}
