import { api } from '../lib/api.js';
import { ErrorBox } from '../lib/components.js';
import { html, useState } from '../lib/html.js';
import { saveSession, takeEndReason } from '../lib/session.js';

/** What proves a credential before it is kept: the account for a key, the account list for the admin token. */
const CHECK = { user: '/v1/account', admin: '/admin/v1/accounts?limit=1' };

export function SignInPage() {
  const [kind, setKind] = useState('user');
  const [token, setToken] = useState('');
  // A session the API ended (a revoked key) comes back here with the reason.
  const [error, setError] = useState(takeEndReason);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api(CHECK[kind], { token: token.trim() });
      saveSession({ kind, token: token.trim() });
      location.hash = kind === 'admin' ? '#/admin/accounts' : '#/';
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="sign-in">
    <form class="card" onSubmit=${submit}>
      <h1>imagegate</h1>
      <p class="muted">Sign in with an API key to see your account, jobs and the playground, or with the admin token to manage accounts and providers.</p>
      <fieldset class="segmented">
        <label><input type="radio" name="kind" value="user" checked=${kind === 'user'} onChange=${() => setKind('user')} /> API key</label>
        <label><input type="radio" name="kind" value="admin" checked=${kind === 'admin'} onChange=${() => setKind('admin')} /> Admin token</label>
      </fieldset>
      <label class="field">
        <span>${kind === 'admin' ? 'Admin token' : 'API key'}</span>
        <input name="token" type="password" autocomplete="off" required value=${token} onInput=${(e) => setToken(e.target.value)}
          placeholder=${kind === 'admin' ? 'ADMIN_TOKEN' : 'sk-ig-…'} />
      </label>
      <${ErrorBox} error=${error} />
      <button class="primary" type="submit" disabled=${busy || token.trim() === ''}>${busy ? 'Checking…' : 'Sign in'}</button>
      <p class="muted small">The credential is kept in this tab only and sent only in the Authorization header.</p>
    </form>
  </main>`;
}
