import { html } from '../lib/html.js';

// Placeholder while the page is being built.
export function OverviewPage() {
  return html`<section class="card"><h2>Overview</h2><p class="muted">Not built yet.</p></section>`;
}
