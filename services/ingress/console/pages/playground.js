import { html } from '../lib/html.js';

// Placeholder while the page is being built.
export function PlaygroundPage() {
  return html`<section class="card"><h2>Playground</h2><p class="muted">Not built yet.</p></section>`;
}
