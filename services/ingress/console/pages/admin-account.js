import { ApiKeys } from '../components/admin-api-keys.js';
import { CreditForm } from '../components/admin-credit-form.js';
import { takeHandedOverSecret } from '../components/admin-handover.js';
import { WebhookSecret } from '../components/admin-webhook-secret.js';
import { api } from '../lib/api.js';
import { ErrorBox, Loading, Stat } from '../lib/components.js';
import { dateTime, relative, usd } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html, useState } from '../lib/html.js';
import { href } from '../lib/router.js';

/**
 * `#/admin/accounts/:id`: the account's money, credits, API keys and webhook secret. (The admin API
 * has no ledger of an account; the account itself reads it at `/v1/account/ledger`.)
 */
export function AdminAccountPage({ params }) {
  const { id } = params;
  const loaded = useLoad(() => api(`/admin/v1/accounts/${encodeURIComponent(id)}`), [id]);
  // A credit answers with the account as it is now: shown at once, without another request.
  const [credited, setCredited] = useState(undefined);
  const [handedOver] = useState(() => takeHandedOverSecret(id));
  const account = credited?.id === id ? credited : loaded.data;

  return html`
    <nav class="admin-crumbs small"><a href=${href('/admin/accounts')}>← Accounts</a></nav>
    ${
      account === undefined
        ? html`<${ErrorBox} error=${loaded.error} />${loaded.loading && html`<${Loading} what="Loading the account" />`}`
        : html`
          <header class="admin-head">
            <h1>${account.name}</h1>
            <div class="mono muted">${account.id} · created ${dateTime(account.created_at)} (${relative(account.created_at)})</div>
          </header>
          <div class="stats">
            <${Stat} label="Balance" value=${usd(account.balance_usd)} testId="admin-balance" />
            <${Stat} label="Held" value=${usd(account.held_usd)} hint="for jobs not settled yet" />
            <${Stat} label="Available" value=${usd(account.available_usd)} testId="admin-available" />
          </div>
          <${CreditForm} account=${account} onCredited=${setCredited} />
          <${ApiKeys} account=${account} />
          <${WebhookSecret} account=${account} initialSecret=${handedOver} />
        `
    }
  `;
}
