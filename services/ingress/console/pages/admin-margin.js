import { LossTable, MarginTable, marginShare } from '../components/admin-margin-table.js';
import { api, query } from '../lib/api.js';
import { Card, ErrorBox, Loading, Stat } from '../lib/components.js';
import { dateTime, usd } from '../lib/format.js';
import { useLoad } from '../lib/hooks.js';
import { html, useState } from '../lib/html.js';

const DAY_MS = 24 * 3600 * 1000;
const PRESETS = [
  { label: 'Last 24 h', days: 1 },
  { label: 'Last 7 days', days: 7 },
  { label: 'Last 30 days', days: 30 },
];

/** A Date as a `datetime-local` input's value, in local time (what the picker shows). */
function localInputValue(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A `datetime-local` value (local time) as the ISO 8601 time the API takes, or undefined when empty. */
function isoOf(value) {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `#/admin/margin`: what was charged against what the upstreams charged, per model, in a time range. */
export function AdminMarginPage() {
  const [since, setSince] = useState(() => localInputValue(new Date(Date.now() - 30 * DAY_MS)));
  const [until, setUntil] = useState('');
  const [range, setRange] = useState({ since: isoOf(since), until: undefined });
  const { data: report, error, loading } = useLoad(() => api(`/admin/v1/reports/margin${query(range)}`), [range]);

  const apply = (event) => {
    event.preventDefault();
    setRange({ since: isoOf(since), until: isoOf(until) });
  };
  const preset = (days) => {
    const from = localInputValue(new Date(Date.now() - days * DAY_MS));
    setSince(from);
    setUntil('');
    setRange({ since: isoOf(from), until: undefined });
  };

  return html`
    <header class="admin-head"><h1>Margin</h1></header>
    <${Card}>
      <form class="admin-form" onSubmit=${apply}>
        <label class="field"><span>Since</span>
          <input type="datetime-local" name="since" value=${since} onInput=${(e) => setSince(e.target.value)} />
        </label>
        <label class="field"><span>Until (empty: now)</span>
          <input type="datetime-local" name="until" value=${until} onInput=${(e) => setUntil(e.target.value)} />
        </label>
        <button type="submit" class="primary">Show</button>
        <span class="admin-presets">
          ${PRESETS.map((p) => html`<button type="button" onClick=${() => preset(p.days)}>${p.label}</button>`)}
        </span>
      </form>
    <//>
    <${ErrorBox} error=${error} />
    ${
      report === undefined
        ? loading && html`<${Loading} what="Adding up the jobs" />`
        : html`
          <p class="muted small">Succeeded jobs from ${dateTime(report.since)} to ${dateTime(report.until)}, by the model that served them.</p>
          ${report.truncated ? html`<div class="notice">More jobs succeeded in this range than one report reads: narrow it.</div>` : ''}
          <div class="stats">
            <${Stat} label="Charged" value=${usd(report.total.charged_usd)} hint=${`${report.total.jobs} jobs · ${report.total.images} images`} />
            <${Stat} label="Upstream cost" value=${usd(report.total.upstream_cost_usd)} />
            <${Stat} label="Margin" value=${usd(report.total.margin_usd)} hint=${marginShare(report.total)} testId="margin-total" />
          </div>
          <${Card} title="Per model">
            ${report.models.length === 0 ? html`<p class="muted admin-empty">No job succeeded in this range.</p>` : html`<${MarginTable} report=${report} />`}
          <//>
          ${report.losses.length > 0 && html`<${Card} title=${`Jobs at a loss (${report.losses.length})`}><${LossTable} losses=${report.losses} /><//>`}
        `
    }
  `;
}
