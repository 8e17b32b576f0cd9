import { Card, ErrorBox, StatusBadge } from '../lib/components.js';
import { html } from '../lib/html.js';
import { href } from '../lib/router.js';
import { Amount } from './playground-quote.js';

const PHASE_TEXT = {
  sending: 'Sending…',
  streaming: 'Rendering: partial images appear as the model sends them…',
  running: 'The job is running; this page follows it.',
};

function JobLine({ state }) {
  if (state.jobId === null) return '';
  return html`<div class="pg-job row small">
    <span>Job</span>
    <a class="mono" href=${href(`/jobs/${state.jobId}`)}>${state.jobId}</a>
    ${state.job ? html`<${StatusBadge} status=${state.job.status} />` : ''}
    ${state.job?.status === 'queued' && state.job.queue_position !== null ? html`<span class="muted">position ${state.job.queue_position} in the queue</span>` : ''}
  </div>`;
}

function Billing({ billing }) {
  if (billing === null) return '';
  return html`<div class="pg-billing small">
    ${
      billing.charged_usd > 0
        ? html`Charged <strong data-testid="charged"><${Amount} value=${billing.charged_usd} /></strong>`
        : html`Held <${Amount} value=${billing.held_usd} />`
    }
    <span class="muted"> · <${Amount} value=${billing.unit_price_usd} /> per image</span>
  </div>`;
}

/** A signed URL opens in a tab; a streamed image (a data: URL) cannot: browsers refuse them as pages. */
function OpenLink({ src }) {
  return src.startsWith('data:') ? '' : html`<a href=${src} target="_blank" rel="noopener noreferrer">Open</a>`;
}

/** What the last run gave: its job, partial images as they came, the images, what it cost, or the refusal. */
export function RunResult({ state }) {
  if (state.phase === 'idle') {
    return html`<${Card} title="Result" className="pg-result">
      <p class="muted">Pick a model, write a prompt and generate: the images appear here.</p>
    <//>`;
  }
  return html`<${Card} title="Result" className="pg-result">
    <${JobLine} state=${state} />
    ${PHASE_TEXT[state.phase] ? html`<p class="muted loading">${PHASE_TEXT[state.phase]}</p>` : ''}
    <${ErrorBox} error=${state.error} />
    ${
      state.events.length > 0
        ? html`<ol class="pg-events small" aria-label="Stream events">
            ${state.events.map((event) => html`<li>${event.label} <span class="muted">${event.at} s</span></li>`)}
          </ol>`
        : ''
    }
    ${
      state.partials.length > 0
        ? html`<div class="pg-partials" aria-label="Partial images">
            ${state.partials.map((src, index) => html`<img src=${src} alt=${`Partial image ${index + 1}`} />`)}
          </div>`
        : ''
    }
    ${
      state.images.length > 0
        ? html`<div class="gallery pg-images">
            ${state.images.map(
              (src, index) => html`<figure>
                <img src=${src} alt=${`Generated image ${index + 1}`} />
                <figcaption>
                  <span>Image ${index + 1}</span>
                  <${OpenLink} src=${src} />
                </figcaption>
              </figure>`,
            )}
          </div>`
        : ''
    }
    ${state.phase === 'done' && state.images.length === 0 ? html`<p class="muted">The job ended without images.</p>` : ''}
    <${Billing} billing=${state.billing} />
    ${
      state.warnings.length > 0
        ? html`<ul class="pg-warnings small">${state.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>`
        : ''
    }
  <//>`;
}
