import { html, useRef, useState } from '../lib/html.js';

/**
 * A secret the API shows only once (a new API key, a webhook secret): in a box to copy, with the
 * warning that it is gone when the page is left. It lives in this component's state and nowhere else.
 */
export function SecretOnce({ label, secret, children }) {
  const input = useRef(null);
  const [copied, setCopied] = useState(undefined);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied.');
    } catch {
      // No clipboard access (a page not served over HTTPS, a denied permission): select it for Ctrl-C.
      input.current?.select();
      setCopied('Selected: copy it with Ctrl-C.');
    }
  };

  return html`<div class="admin-secret" role="group" aria-label=${label}>
    <div class="admin-secret-warning">
      <strong>${label}</strong> — copy it now: it is shown only this once and is gone when you leave this page.
    </div>
    <div class="admin-secret-row">
      <input ref=${input} class="mono" readonly value=${secret} aria-label=${label} onFocus=${(e) => e.target.select()} />
      <button type="button" class="primary" onClick=${copy}>Copy</button>
    </div>
    ${copied ? html`<div class="small muted" role="status">${copied}</div>` : ''}
    ${children}
  </div>`;
}
