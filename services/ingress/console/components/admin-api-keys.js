import { api } from '../lib/api.js';
import { Card, ErrorBox, Loading } from '../lib/components.js';
import { dateTime } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html, useState } from '../lib/html.js';
import { SecretOnce } from './admin-secret-once.js';

function KeyRow({ apiKey, onRevoke, busy }) {
  const revoked = apiKey.revoked_at !== null;
  return html`<tr class=${revoked ? 'admin-revoked' : ''}>
    <td>${apiKey.name}</td>
    <td class="mono admin-nowrap">${apiKey.hint}</td>
    <td>${dateTime(apiKey.created_at)}</td>
    <td>
      ${
        revoked
          ? html`<span class="badge status-failed">revoked</span> <span class="small">${dateTime(apiKey.revoked_at)}</span>`
          : html`<span class="badge status-succeeded">active</span>`
      }
    </td>
    <td class="num">
      ${revoked ? '' : html`<button type="button" class="danger" disabled=${busy} onClick=${() => onRevoke(apiKey)} aria-label=${`Revoke ${apiKey.name} (${apiKey.hint})`}>Revoke</button>`}
    </td>
  </tr>`;
}

/** An account's API keys: the list, "Create key" (the key shown once) and "Revoke" (after a confirm). */
export function ApiKeys({ account }) {
  const path = `/admin/v1/accounts/${encodeURIComponent(account.id)}/api_keys`;
  const keys = useLoad(() => api(path), [path]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);

  const act = async (action) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      await keys.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const create = (event) => {
    event.preventDefault();
    return act(async () => {
      const body = name.trim() === '' ? {} : { name: name.trim() };
      setCreated(await api(path, { method: 'POST', body }));
      setName('');
    });
  };

  const revoke = (apiKey) => {
    if (
      !window.confirm(`Revoke the key “${apiKey.name}” (${apiKey.hint})? Requests with it are refused from now on.`)
    ) {
      return undefined;
    }
    return act(async () => {
      await api(`/admin/v1/api_keys/${encodeURIComponent(apiKey.id)}`, { method: 'DELETE' });
      if (created?.id === apiKey.id) setCreated(undefined);
    });
  };

  return html`<${Card} title="API keys" className="admin-stack">
    <form class="admin-form" onSubmit=${create}>
      <label class="field admin-grow">
        <span>New key's name</span>
        <input name="key_name" maxlength="200" value=${name} onInput=${(e) => setName(e.target.value)} placeholder="default" />
      </label>
      <button type="submit" class="primary" disabled=${busy}>Create key</button>
    </form>
    ${
      created &&
      html`<${SecretOnce} label=${`New API key “${created.name}”`} secret=${created.key}>
        <div class="small muted">Only its hash is stored: if it is lost, create another and revoke this one.</div>
      <//>`
    }
    <${ErrorBox} error=${error ?? keys.error} />
    ${
      keys.data === undefined
        ? keys.loading && html`<${Loading} what="Loading keys" />`
        : keys.data.data.length === 0
          ? html`<p class="muted admin-empty">No API keys yet.</p>`
          : html`<div class="admin-scroll"><table aria-label="API keys">
              <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Status</th><th></th></tr></thead>
              <tbody>${keys.data.data.map((apiKey) => html`<${KeyRow} key=${apiKey.id} apiKey=${apiKey} busy=${busy} onRevoke=${revoke} />`)}</tbody>
            </table></div>`
    }
  <//>`;
}
