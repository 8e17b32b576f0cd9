import { api } from '../lib/api.js';
import { ErrorBox } from '../lib/components.js';
import { markupText, usd } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/html.js';

/** How long the form must rest before it is priced again (typing a prompt asks once, not per key). */
const QUOTE_DELAY_MS = 350;

/**
 * The price of `body` from `POST /v1/images/quote`, asked again whenever the body changes (after a
 * short rest; an answer to an older body is dropped). `body` null: nothing to price yet.
 */
export function useQuote(body) {
  const key = body === null ? null : JSON.stringify(body);
  // The answer remembers the body it priced: pending is decided as the form renders, so a price
  // is never shown as current for a form that has changed since.
  const [answer, setAnswer] = useState({ key: undefined, quote: undefined, error: undefined });
  useEffect(() => {
    if (key === null) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const quote = await api('/v1/images/quote', {
          method: 'POST',
          body: JSON.parse(key),
          signal: controller.signal,
        });
        setAnswer({ key, quote, error: undefined });
      } catch (error) {
        if (!controller.signal.aborted) setAnswer({ key, quote: undefined, error });
      }
    }, QUOTE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return { quote: answer.quote, error: answer.error, pending: key !== null && answer.key !== key };
}

/** An amount with its exact value kept machine-readable (`<data value>`), shown rounded. */
export function Amount({ value }) {
  return html`<data value=${value}>${usd(value)}</data>`;
}

/** The quote next to the send button: the price, what is held, the markup, and warnings or the refusal. */
export function QuoteView({ state, waitingFor }) {
  const { quote, error, pending } = state;
  if (waitingFor) return html`<div class="pg-quote muted">${waitingFor}</div>`;
  if (error) {
    return html`<div class=${`pg-quote${pending ? ' pg-stale' : ''}`} aria-live="polite">
      <div class="muted small">The API refuses this request:</div>
      <${ErrorBox} error=${error} />
    </div>`;
  }
  if (quote === undefined) return html`<div class="pg-quote muted">Pricing…</div>`;
  return html`<div class=${`pg-quote${pending ? ' pg-stale' : ''}`} aria-live="polite">
    <div class="pg-price" data-testid="quote-price">
      <span class="pg-price-label">Price</span>
      <strong><${Amount} value=${quote.price_usd} /></strong>
      ${
        quote.n > 1 && quote.per_image_usd !== undefined
          ? html`<span class="muted small">${quote.n} × <${Amount} value=${quote.per_image_usd} /></span>`
          : ''
      }
    </div>
    <div class="muted small">
      Held while it runs: <${Amount} value=${quote.hold_usd} /> · your markup ${markupText(quote.markup)}
    </div>
    ${
      quote.warnings?.length > 0
        ? html`<ul class="pg-warnings small">${quote.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>`
        : ''
    }
  </div>`;
}
