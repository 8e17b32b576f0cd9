import { api } from '../lib/api.js';
import { Card, ErrorBox } from '../lib/components.js';
import { usd } from '../lib/format.js';
import { html, useState } from '../lib/html.js';

/**
 * "Add credit": an amount and the reason the ledger keeps with it. A negative amount corrects a
 * mistake (an `adjustment`), after a confirm. Each submission carries its own Idempotency-Key, so a
 * request retried by the network credits once.
 */
export function CreditForm({ account, onCredited }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);
  const [result, setResult] = useState(undefined);

  const value = Number(amount);
  const valid = amount.trim() !== '' && Number.isFinite(value) && value !== 0 && reason.trim() !== '';

  const submit = async (event) => {
    event.preventDefault();
    if (
      value < 0 &&
      !window.confirm(`Take ${usd(-value)} from “${account.name}”? This is recorded as an adjustment.`)
    ) {
      return;
    }
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const answer = await api(`/admin/v1/accounts/${encodeURIComponent(account.id)}/credits`, {
        method: 'POST',
        body: { amount_usd: value, reason: reason.trim() },
        headers: { 'Idempotency-Key': crypto.randomUUID() },
      });
      setResult(answer);
      setAmount('');
      setReason('');
      onCredited(answer.account);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return html`<${Card} title="Add credit" className="admin-stack">
    <form class="admin-form" onSubmit=${submit}>
      <label class="field">
        <span>Amount (USD)</span>
        <input name="amount_usd" type="number" step="0.01" required value=${amount}
          onInput=${(e) => setAmount(e.target.value)} placeholder="25.00" />
      </label>
      <label class="field admin-grow">
        <span>Reason</span>
        <input name="reason" required maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)}
          placeholder="Invoice 2041, paid by bank transfer" />
      </label>
      <button type="submit" class="primary" disabled=${busy || !valid}>${busy ? 'Adding…' : 'Add credit'}</button>
    </form>
    <p class="small muted">A negative amount corrects a mistake; it can take no more than is available.</p>
    <${ErrorBox} error=${error} />
    ${
      result &&
      html`<div class="success" role="status">
        ${result.entry.amount_usd < 0 ? 'Took' : 'Added'} ${usd(Math.abs(result.entry.amount_usd))} (${result.entry.type}, “${result.entry.reason}”).
        Balance now ${usd(result.account.balance_usd)}, available ${usd(result.account.available_usd)}.
      </div>`
    }
  <//>`;
}
