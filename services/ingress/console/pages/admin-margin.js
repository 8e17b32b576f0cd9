import { html } from '../lib/html.js';

// Placeholder while the page is being built.
export function AdminMarginPage() {
  return html`<section class="card"><h2>Margin report</h2><p class="muted">Not built yet.</p></section>`;
}
