import { ProviderCard } from '../components/admin-provider-card.js';
import { api } from '../lib/api.js';
import { ErrorBox, Loading } from '../lib/components.js';
import { useLoad } from '../lib/hooks.js';
import { html } from '../lib/html.js';

const REFRESH_MS = 3_000;

/** `#/admin/providers`: a card per provider, refreshed every few seconds while the page is shown. */
export function AdminProvidersPage() {
  const { data, error, loading } = useLoad(
    async () => ({ providers: await api('/admin/v1/providers'), at: Date.now() / 1000 }),
    [],
    { everyMs: REFRESH_MS },
  );
  return html`
    <header class="admin-head">
      <h1>Providers</h1>
      <div class="muted small">Queues, limits and workers, refreshed every ${REFRESH_MS / 1000} s.</div>
    </header>
    <${ErrorBox} error=${error} />
    ${
      data === undefined
        ? loading && html`<${Loading} what="Loading providers" />`
        : html`<div class="admin-providers">
            ${data.providers.data.map((status) => html`<${ProviderCard} key=${status.provider} status=${status} now=${data.at} />`)}
          </div>`
    }
  `;
}
