import { usd } from '../lib/format.js';
import { html } from '../lib/html.js';

// The drawing's own units; the SVG scales to its box (viewBox), text with it.
const WIDTH = 760;
const HEIGHT = 210;
const PLOT = { left: 52, right: 8, top: 10, bottom: 24 };

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above `value`: a round top for the axis. */
function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value - 1e-12) ?? 10;
  return step * power;
}

/** An axis figure: as few decimals as the scale needs ("$0", "$0.05", "$2.5", "$40"). */
function axisUsd(value) {
  return `$${Number(value.toPrecision(3))}`;
}

/** `YYYY-MM-DD` (a UTC day, as the API counts them) as "Dec 3". */
function shortDate(day) {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

/**
 * Daily spend as bars, drawn by Preact as inline SVG (no chart library, nothing but this origin's
 * scripts): a dollar axis with gridlines, a date every 15 days, and the day's figures on hover.
 */
export function SpendChart({ days }) {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const top = niceCeiling(Math.max(0, ...days.map((day) => day.spend_usd)));
  const step = plotWidth / Math.max(days.length, 1);
  const y = (value) => PLOT.top + plotHeight - (value / top) * plotHeight;
  const ticks = [0, top / 2, top];
  const total = days.reduce((sum, day) => sum + day.spend_usd, 0);
  const last = days.length - 1;

  return html`<svg class="spend-chart" viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} role="img"
    aria-label=${`Daily spend over the last ${days.length} days, ${usd(total)} in all`}>
    ${ticks.map(
      (tick) => html`<g class="chart-grid">
        <line x1=${PLOT.left} x2=${WIDTH - PLOT.right} y1=${y(tick)} y2=${y(tick)} />
        <text x=${PLOT.left - 8} y=${y(tick) + 4} text-anchor="end">${axisUsd(tick)}</text>
      </g>`,
    )}
    ${days.map((day, index) => {
      const x = PLOT.left + index * step;
      // A day with any spend stays visible however small it is next to the biggest.
      const height = day.spend_usd > 0 ? Math.max(1.5, (day.spend_usd / top) * plotHeight) : 0;
      const jobs = `${day.jobs} ${day.jobs === 1 ? 'job' : 'jobs'}`;
      return html`<g class="chart-day" data-date=${day.date}>
        <title>${`${shortDate(day.date)} (${day.date}): ${usd(day.spend_usd)}, ${jobs}`}</title>
        <rect class="chart-hit" x=${x} y=${PLOT.top} width=${step} height=${plotHeight} />
        ${height > 0 && html`<rect class="chart-bar" x=${x + step * 0.14} y=${PLOT.top + plotHeight - height} width=${step * 0.72} height=${height} rx="1" />`}
        ${
          (last - index) % 15 === 0 &&
          html`<text class="chart-date" x=${index === last ? x + step : x + step / 2} y=${HEIGHT - 6}
          text-anchor=${index === last ? 'end' : 'middle'}>${shortDate(day.date)}</text>`
        }
      </g>`;
    })}
    ${total === 0 && html`<text class="chart-empty" x=${PLOT.left + plotWidth / 2} y=${PLOT.top + plotHeight / 2} text-anchor="middle">No spend in these ${days.length} days</text>`}
  </svg>`;
}
