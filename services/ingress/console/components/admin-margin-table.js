import { usd } from '../lib/format.js';
import { html } from '../lib/html.js';

/** Margin as a share of what was charged, e.g. "23.5 %" (— when nothing was charged). */
export function marginShare(line) {
  return line.charged_usd === 0 ? '—' : `${((line.margin_usd / line.charged_usd) * 100).toFixed(1)} %`;
}

function Cells({ line }) {
  return html`
    <td class="num">${line.jobs}</td>
    <td class="num">${line.images}</td>
    <td class="num">${usd(line.charged_usd)}</td>
    <td class="num">${usd(line.upstream_cost_usd)}</td>
    <td class=${`num ${line.margin_usd < 0 ? 'admin-loss' : ''}`}>${usd(line.margin_usd)}</td>
    <td class="num">${marginShare(line)}</td>
  `;
}

/** The report's rows, one per model that served (largest charge first), and the total. */
export function MarginTable({ report }) {
  const models = [...report.models].sort((a, b) => b.charged_usd - a.charged_usd || a.model.localeCompare(b.model));
  return html`<div class="admin-scroll"><table aria-label="Margin per model">
    <thead><tr>
      <th>Model</th><th class="num">Jobs</th><th class="num">Images</th><th class="num">Charged</th>
      <th class="num">Upstream cost</th><th class="num">Margin</th><th class="num">Margin %</th>
    </tr></thead>
    <tbody>
      ${models.map((line) => html`<tr key=${line.model}><td class="mono admin-nowrap">${line.model}</td><${Cells} line=${line} /></tr>`)}
    </tbody>
    <tfoot>
      <tr class="admin-total"><td>Total</td><${Cells} line=${report.total} /></tr>
    </tfoot>
  </table></div>`;
}

/** The jobs charged less than they cost upstream. */
export function LossTable({ losses }) {
  return html`<div class="admin-scroll"><table aria-label="Jobs at a loss">
    <thead><tr><th>Job</th><th>Model</th><th class="num">Charged</th><th class="num">Upstream cost</th></tr></thead>
    <tbody>
      ${losses.map(
        (loss) => html`<tr key=${loss.job_id}>
          <td class="mono admin-nowrap">${loss.job_id}</td><td class="mono admin-nowrap">${loss.model}</td>
          <td class="num">${usd(loss.charged_usd)}</td><td class="num admin-loss">${usd(loss.upstream_cost_usd)}</td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}
