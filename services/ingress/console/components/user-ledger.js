import { api, query } from '../lib/api.js';
import { Card, ErrorBox, Loading, Pager } from '../lib/components.js';
import { dateTime } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html } from '../lib/html.js';
import { href } from '../lib/router.js';
import { signedUsd } from './user-format.js';
import { useCursorPages } from './user-paging.js';

const PAGE_SIZE = 15;

/** A change of money; an entry that does not move this figure shows a dash, not "$0.0000". */
function Change({ usd }) {
  return usd === 0 ? html`<span class="muted">—</span>` : signedUsd(usd);
}

/** Every movement of the account's money, newest first, a page at a time. */
export function LedgerCard() {
  const pages = useCursorPages();
  const ledger = useLoad(
    () => api(`/v1/account/ledger${query({ limit: PAGE_SIZE, after: pages.after })}`),
    [pages.after],
  );
  const entries = ledger.data?.data ?? [];
  return html`<${Card} title="Ledger" className="ledger">
    <${ErrorBox} error=${ledger.error} />
    ${ledger.data === undefined && ledger.loading && html`<${Loading} />`}
    ${
      ledger.data !== undefined &&
      html`<table>
      <thead>
        <tr><th>Type</th><th class="num">Amount</th><th class="num">Held</th><th>Job</th><th>Reason</th><th>Time</th></tr>
      </thead>
      <tbody>
        ${entries.map(
          (entry) => html`<tr key=${entry.id}>
            <td><span class=${`badge ledger-${entry.type}`}>${entry.type.replace('_', ' ')}</span></td>
            <td class="num"><${Change} usd=${entry.amount_usd} /></td>
            <td class="num"><${Change} usd=${entry.held_usd} /></td>
            <td>${entry.job_id ? html`<a class="mono" href=${href(`/jobs/${entry.job_id}`)}>${entry.job_id}</a>` : html`<span class="muted">—</span>`}</td>
            <td>${entry.reason ?? html`<span class="muted">—</span>`}</td>
            <td class="nowrap">${dateTime(entry.created_at)}</td>
          </tr>`,
        )}
        ${entries.length === 0 && html`<tr><td colspan="6" class="muted">No movements yet.</td></tr>`}
      </tbody>
    </table>
    <${Pager} cursors=${pages.cursors} hasMore=${ledger.data.has_more} onNewer=${pages.newer}
      onOlder=${() => pages.older(ledger.data.last_id)} />`
    }
  <//>`;
}
