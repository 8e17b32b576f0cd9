import { api } from '../lib/api.js';
import { Card, ErrorBox } from '../lib/components.js';
import { html, useState } from '../lib/html.js';
import { href } from '../lib/router.js';
import { handOverSecret } from './admin-handover.js';

/** "Create account": a name and an optional starter credit; then the new account's page. */
export function CreateAccount() {
  const [name, setName] = useState('');
  const [credit, setCredit] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { name: name.trim() };
      if (credit.trim() !== '') body.starter_credit_usd = Number(credit);
      const account = await api('/admin/v1/accounts', { method: 'POST', body });
      // The webhook secret is in this answer only: the account's page shows it once.
      handOverSecret(account.id, account.webhook_secret);
      location.hash = href(`/admin/accounts/${encodeURIComponent(account.id)}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return html`<${Card} title="Create account" className="admin-stack">
    <form class="admin-form" onSubmit=${submit}>
      <label class="field admin-grow">
        <span>Name</span>
        <input name="name" required maxlength="200" value=${name} onInput=${(e) => setName(e.target.value)} placeholder="Acme Studio" />
      </label>
      <label class="field">
        <span>Starter credit (USD)</span>
        <input name="starter_credit_usd" type="number" min="0" step="0.01" value=${credit}
          onInput=${(e) => setCredit(e.target.value)} placeholder="default" />
      </label>
      <button type="submit" class="primary" disabled=${busy || name.trim() === ''}>${busy ? 'Creating…' : 'Create account'}</button>
    </form>
    <${ErrorBox} error=${error} />
  <//>`;
}
