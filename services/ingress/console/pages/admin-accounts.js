import { CreateAccount } from '../components/admin-create-account.js';
import { api, query } from '../lib/api.js';
import { Card, ErrorBox, Loading, Pager } from '../lib/components.js';
import { dateTime, usd } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html, useEffect, useState } from '../lib/html.js';
import { href } from '../lib/router.js';

const PAGE_SIZE = 20;
/** Typing pauses this long before the list is searched again. */
const SEARCH_DELAY_MS = 250;

function AccountRow({ account }) {
  const link = href(`/admin/accounts/${encodeURIComponent(account.id)}`);
  // The whole row opens the account; the name stays a real link (keyboard, middle click).
  const open = (event) => {
    if (event.target.closest('a') === null) location.hash = link;
  };
  return html`<tr class="clickable" onClick=${open}>
    <td><a href=${link}>${account.name}</a></td>
    <td class="mono muted admin-nowrap">${account.id}</td>
    <td class="num">${usd(account.balance_usd)}</td>
    <td class="num">${usd(account.held_usd)}</td>
    <td class="num">${usd(account.available_usd)}</td>
    <td>${dateTime(account.created_at)}</td>
  </tr>`;
}

/** `#/admin/accounts`: search by name or id, a page of accounts at a time, and "Create account". */
export function AdminAccountsPage() {
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  // The `after` cursors of the pages before this one (empty: the first page).
  const [cursors, setCursors] = useState([]);
  const after = cursors.at(-1);

  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(typed.trim());
      setCursors([]);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const { data, error, loading } = useLoad(
    () => api(`/admin/v1/accounts${query({ q: search, limit: PAGE_SIZE, after })}`),
    [search, after],
  );

  return html`
    <header class="admin-head"><h1>Accounts</h1></header>
    <${Card}
      title="All accounts"
      actions=${html`<input type="search" class="admin-search" aria-label="Search accounts" placeholder="Search by name or id"
        value=${typed} onInput=${(e) => setTyped(e.target.value)} />`}
    >
      <${ErrorBox} error=${error} />
      ${
        data === undefined
          ? loading && html`<${Loading} what="Loading accounts" />`
          : html`<div class="admin-scroll"><table aria-busy=${loading ? 'true' : 'false'}>
              <thead><tr>
                <th>Name</th><th>ID</th><th class="num">Balance</th><th class="num">Held</th><th class="num">Available</th><th>Created</th>
              </tr></thead>
              <tbody>
                ${data.data.map((account) => html`<${AccountRow} key=${account.id} account=${account} />`)}
              </tbody>
            </table></div>
            ${data.data.length === 0 ? html`<p class="muted admin-empty">${search ? `No account matches “${search}”.` : 'No accounts yet.'}</p>` : ''}
            <${Pager}
              cursors=${cursors}
              hasMore=${data.has_more}
              onNewer=${() => setCursors(cursors.slice(0, -1))}
              onOlder=${() => setCursors([...cursors, data.last_id])}
            />`
      }
    <//>
    <${CreateAccount} />
  `;
}
