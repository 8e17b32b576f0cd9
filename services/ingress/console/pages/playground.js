import { ModelPicker, ModeSwitch, ParameterControls } from '../components/playground-controls.js';
import { InputImages } from '../components/playground-inputs.js';
import { MaskPainter } from '../components/playground-mask.js';
import { QuoteView, useQuote } from '../components/playground-quote.js';
import {
  editFormData,
  formFor,
  quoteBody,
  requestFields,
  sendsMask,
  streams,
} from '../components/playground-request.js';
import { RunResult } from '../components/playground-result.js';
import { useRun } from '../components/playground-run.js';
import { Snippets } from '../components/playground-snippets.js';
import { api } from '../lib/api.js';
import { ErrorBox, Loading } from '../lib/components.js';
import { useLoad } from '../lib/hooks.js';
import { html, useEffect, useRef, useState } from '../lib/html.js';

/** The model the playground starts on: a cheap, fast one every deployment has. */
const FIRST_CHOICE = 'gpt-image-2';

/**
 * The playground: pick a model (its capabilities decide the controls), write a prompt, add images
 * and paint a mask for an edit, see the price before sending, generate (waiting, streaming or as a
 * job), and take the same request away as curl or Python.
 */
export function PlaygroundPage() {
  const models = useLoad(() => api('/v1/models'), []);
  if (models.error && models.data === undefined) return html`<${ErrorBox} error=${models.error} />`;
  if (models.data === undefined) return html`<${Loading} what="Loading the models" />`;
  return html`<${Playground} models=${models.data.data} />`;
}

function Playground({ models }) {
  const [model, setModel] = useState(() => models.find((each) => each.id === FIRST_CHOICE) ?? models[0]);
  const [form, setForm] = useState(() => formFor(model));
  const [inputs, setInputs] = useState([]);
  const [maskPainted, setMaskPainted] = useState(false);
  const painter = useRef(null);
  const { state: run, run: send } = useRun();

  // The uploads' blob: URLs are the page's: freed when it goes.
  const latestInputs = useRef(inputs);
  latestInputs.current = inputs;
  useEffect(
    () => () => {
      for (const input of latestInputs.current) URL.revokeObjectURL(input.url);
    },
    [],
  );

  const set = (change) => setForm((previous) => ({ ...previous, ...change }));
  const pickModel = (id) => {
    const next = models.find((each) => each.id === id);
    setModel(next);
    setForm((previous) => formFor(next, previous));
  };

  const editing = form.mode === 'edit';
  const edits = model.capabilities.edits;
  const usedInputs = editing ? inputs.slice(0, edits.max_input_images) : [];
  const withMask = sendsMask(model, form, maskPainted) && usedInputs.length > 0;
  const fields = requestFields(model, form);
  const quote = useQuote(quoteBody(model, form, usedInputs, maskPainted));
  const promptMissing = form.prompt.trim() === '';
  const imageMissing = editing && usedInputs.length === 0;
  const busy = run.phase === 'sending' || run.phase === 'streaming' || run.phase === 'running';

  const submit = async (event) => {
    event.preventDefault();
    const path = editing ? '/v1/images/edits' : '/v1/images/generations';
    const mask = withMask ? await painter.current.maskPng() : undefined;
    await send({
      path,
      ...(editing ? { form: editFormData(fields, usedInputs, mask) } : { body: fields }),
      delivery: form.delivery,
      streaming: streams(model, form),
    });
  };

  const snippetRequest = {
    baseUrl: `${location.origin}/v1`,
    fields,
    delivery: form.delivery,
    edit: editing ? { images: usedInputs.map((input) => input.file.name), mask: withMask } : null,
  };

  return html`<div class="pg">
    <header><h1>Playground</h1><p class="muted">Try a model with your key: what you see priced here is what the request is charged.</p></header>
    <div class="pg-layout">
      <form class="card pg-form" onSubmit=${submit} aria-label="Request">
        <${ModelPicker} models=${models} model=${model} onChange=${pickModel} />
        <${ModeSwitch} model=${model} mode=${form.mode} onChange=${(mode) => set({ mode })} />
        <label class="field">
          <span>Prompt</span>
          <textarea name="prompt" rows="4" placeholder="A lighthouse at dusk, oil on canvas" value=${form.prompt}
            onInput=${(event) => set({ prompt: event.target.value })}></textarea>
        </label>
        ${
          editing
            ? html`<${InputImages} inputs=${inputs} max=${edits.max_input_images} onChange=${setInputs} />
              ${
                usedInputs.length > 0 && edits.mask
                  ? html`<${MaskPainter} input=${usedInputs[0]} painterRef=${painter} onPaintedChange=${setMaskPainted} />`
                  : ''
              }
              ${usedInputs.length > 0 && !edits.mask ? html`<p class="muted small">${model.id} takes no mask: it edits from the prompt and the images.</p>` : ''}`
            : ''
        }
        <${ParameterControls} model=${model} form=${form} set=${set} />
        <div class="pg-send">
          <${QuoteView} state=${quote} waitingFor=${imageMissing ? 'Add an image to price the edit.' : null} />
          <button class="primary" type="submit" disabled=${busy || promptMissing || imageMissing}>
            ${busy ? 'Working…' : editing ? 'Edit' : 'Generate'}
          </button>
        </div>
      </form>
      <div class="pg-output">
        <${RunResult} state=${run} />
        <${Snippets} request=${snippetRequest} />
      </div>
    </div>
  </div>`;
}
