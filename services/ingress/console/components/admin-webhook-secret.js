import { api } from '../lib/api.js';
import { Card, ErrorBox } from '../lib/components.js';
import { dateTime, relative } from '../lib/format.js';
import { html, useState } from '../lib/html.js';
import { SecretOnce } from './admin-secret-once.js';

/**
 * The account's webhook signing secret: never readable again, only replaced. "Rotate" shows the new
 * one once; the old one keeps signing beside it for a grace period so receivers can switch over.
 * `initialSecret` is the secret of an account created a moment ago (handed over by the create form).
 */
export function WebhookSecret({ account, initialSecret }) {
  const [rotated, setRotated] = useState(
    initialSecret === undefined
      ? undefined
      : { webhook_secret: initialSecret, previous_secret_expires_at: null, created: true },
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);

  const rotate = async () => {
    if (!window.confirm(`Rotate the webhook secret of “${account.name}”? Its receivers must switch to the new one.`))
      return;
    setBusy(true);
    setError(undefined);
    try {
      setRotated(await api(`/admin/v1/accounts/${encodeURIComponent(account.id)}/webhook_secret`, { method: 'POST' }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const expires = rotated?.previous_secret_expires_at;
  return html`<${Card}
    title="Webhook secret"
    className="admin-stack"
    actions=${html`<button type="button" disabled=${busy} onClick=${rotate}>${busy ? 'Rotating…' : 'Rotate webhook secret'}</button>`}
  >
    <p class="muted">Signs the account's webhooks (<code>webhook-signature</code>). It is shown only when it is made.</p>
    <${ErrorBox} error=${error} />
    ${
      rotated &&
      html`<${SecretOnce} label=${rotated.created ? 'The new account’s webhook secret' : 'New webhook secret'} secret=${rotated.webhook_secret}>
        ${
          expires
            ? html`<div class="small muted">The previous secret signs too until ${dateTime(expires)} (${relative(expires)}).</div>`
            : ''
        }
      <//>`
    }
  <//>`;
}
