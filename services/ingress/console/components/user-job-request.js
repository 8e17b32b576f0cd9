import { html } from '../lib/html.js';

/** The request fields worth reading at a glance, in this order; the raw JSON shows the rest. */
const FACTS = [
  ['prompt', 'Prompt'],
  ['model', 'Model asked'],
  ['fallbacks', 'Fallbacks'],
  ['n', 'Images'],
  ['size', 'Size'],
  ['aspect_ratio', 'Aspect ratio'],
  ['quality', 'Quality'],
  ['output_format', 'Format'],
  ['background', 'Background'],
  ['input_fidelity', 'Input fidelity'],
  ['response_format', 'Response format'],
  ['webhook_url', 'Webhook'],
];

function shown(value) {
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** An edit's (or a chat's) input images, with the mask, as the API shows them (presigned). */
function Inputs({ request }) {
  const inputs = [...(request.images ?? []).map((image, index) => ({ ...image, label: `Input ${index + 1}` }))];
  if (request.mask) inputs.push({ ...request.mask, label: 'Mask' });
  if (inputs.length === 0) return null;
  return html`<h3>Inputs</h3>
    <div class="input-strip">
      ${inputs.map(
        (
          input,
        ) => html`<a class="input-link" href=${input.url} target="_blank" rel="noopener noreferrer" title=${`${input.width}×${input.height}, ${input.content_type}`}>
          <img class="thumb" src=${input.url} alt=${input.label} />
          <span class="small muted">${input.label}</span>
        </a>`,
      )}
    </div>`;
}

/** A chat job's conversation as it was kept: each message's text and how many images it carried. */
function Messages({ messages }) {
  if (!Array.isArray(messages) || messages.length === 0) return null;
  return html`<h3>Conversation</h3>
    <ol class="messages">
      ${messages.map(
        (message) => html`<li><strong>${message.role}</strong> ${message.text}
          ${message.images > 0 && html`<span class="muted"> (+${message.images} image${message.images === 1 ? '' : 's'})</span>`}</li>`,
      )}
    </ol>`;
}

/** What the job was asked: the readable facts, the inputs, then the request exactly as the API echoes it. */
export function JobRequest({ job }) {
  const request = job.request ?? {};
  const facts = FACTS.filter(([field]) => request[field] !== undefined && request[field] !== '');
  const metadata = Object.entries(job.metadata ?? {});
  return html`<dl class="facts">
      ${facts.map(([field, label]) => html`<dt>${label}</dt><dd class=${field === 'prompt' ? 'prompt' : ''}>${shown(request[field])}</dd>`)}
      ${metadata.length > 0 && html`<dt>Metadata</dt><dd class="mono">${metadata.map(([key, value]) => `${key}=${value}`).join(' ')}</dd>`}
    </dl>
    <${Messages} messages=${request.messages} />
    <${Inputs} request=${request} />
    <details class="raw">
      <summary>Raw request (JSON)</summary>
      <pre>${JSON.stringify(request, null, 2)}</pre>
    </details>`;
}
