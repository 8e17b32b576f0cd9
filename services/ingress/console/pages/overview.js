import { LedgerCard } from '../components/user-ledger.js';
import { SpendChart } from '../components/user-spend-chart.js';
import { api } from '../lib/api.js';
import { Card, ErrorBox, Loading, Stat } from '../lib/components.js';
import { markupText, usd } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html } from '../lib/html.js';

/** What the next markup tier asks for, e.g. "Spend $37.500 more to reach +30 %". */
function nextTierText(account) {
  const next = account.next_tier;
  if (!next) return 'The lowest markup there is.';
  const missing = Math.max(0, next.at_spend_usd - account.spend_90d_usd);
  return `Spend ${usd(missing)} more to reach ${markupText(next.markup)}`;
}

/** The account's money at a glance: balance and holds, the markup tier, 90 days of spend, the ledger. */
export function OverviewPage() {
  // Refreshed now and then: holds come and go while jobs run.
  const account = useLoad(() => api('/v1/account'), [], { everyMs: 10_000 });
  const spend = useLoad(() => api('/v1/account/spend?days=90'), []);
  const figures = account.data;
  return html`
    <header class="page-head">
      <h1>${figures?.name ?? 'Overview'}</h1>
      ${figures && html`<span class="muted mono">${figures.id}</span>`}
    </header>
    <${ErrorBox} error=${account.error} />
    ${figures === undefined && account.loading && html`<${Loading} what="Loading the account" />`}
    ${
      figures &&
      html`<div class="stats">
      <${Stat} testId="balance" label="Balance" value=${usd(figures.balance_usd)} />
      <${Stat} testId="held" label="Held" value=${usd(figures.held_usd)} hint="Taken by jobs not yet settled" />
      <${Stat} testId="available" label="Available" value=${usd(figures.available_usd)} hint="What new jobs can hold" />
      <${Stat} testId="markup" label="Markup" value=${markupText(figures.markup)} hint=${nextTierText(figures)} />
      <${Stat} testId="spend-90d" label="Spend, 90 days" value=${usd(figures.spend_90d_usd)} />
    </div>`
    }
    <${Card} title="Daily spend, last 90 days"
      actions=${spend.data && html`<span class="muted">${usd(spend.data.total_usd)} in all</span>`}>
      <${ErrorBox} error=${spend.error} />
      ${spend.data === undefined && spend.loading && html`<${Loading} />`}
      ${spend.data && html`<${SpendChart} days=${spend.data.data} />`}
    <//>
    <${LedgerCard} />
  `;
}
