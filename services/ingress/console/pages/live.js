import { html } from '../lib/html.js';

// Placeholder while the page is being built.
export function LivePage() {
  return html`<section class="card"><h2>Running jobs</h2><p class="muted">Not built yet.</p></section>`;
}
