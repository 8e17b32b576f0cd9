import { html } from '../lib/html.js';

// Placeholder while the page is being built.
export function JobPage() {
  return html`<section class="card"><h2>Job</h2><p class="muted">Not built yet.</p></section>`;
}
