import { html } from './html.js';

/** An API error as the user should read it: the message, and the code and parameter when there are any. */
export function ErrorBox({ error }) {
  if (!error) return null;
  const detail = [error.code, error.param && `param: ${error.param}`].filter(Boolean).join(' · ');
  return html`<div class="error" role="alert">
    <strong>${error.message}</strong>${detail ? html` <span class="muted">(${detail})</span>` : ''}
  </div>`;
}

export function Loading({ what = 'Loading' }) {
  return html`<p class="muted loading">${what}…</p>`;
}

/** A job status as a coloured badge. */
export function StatusBadge({ status }) {
  return html`<span class=${`badge status-${status}`}>${status}</span>`;
}

/** A titled panel. */
export function Card({ title, actions, children, className = '' }) {
  return html`<section class=${`card ${className}`}>
    ${title || actions ? html`<header class="card-head"><h2>${title}</h2><div class="actions">${actions}</div></header>` : ''}
    ${children}
  </section>`;
}

/** One figure with its label (balance, held, …). */
export function Stat({ label, value, hint, testId }) {
  return html`<div class="stat" data-testid=${testId}>
    <div class="stat-label">${label}</div>
    <div class="stat-value">${value}</div>
    ${hint ? html`<div class="stat-hint muted">${hint}</div>` : ''}
  </div>`;
}

/** Older/newer paging over an API list (`has_more`, `last_id`), driven by the page's cursor stack. */
export function Pager({ cursors, hasMore, onNewer, onOlder }) {
  return html`<nav class="pager">
    <button type="button" disabled=${cursors.length === 0} onClick=${onNewer}>← Newer</button>
    <button type="button" disabled=${!hasMore} onClick=${onOlder}>Older →</button>
  </nav>`;
}
