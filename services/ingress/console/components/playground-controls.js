import { html } from '../lib/html.js';
import { canEdit, canGenerate, transparentPossible } from './playground-request.js';
import { aspectRatios, CUSTOM_SIZE, resolutionsAt, sizeChoices } from './playground-sizes.js';

const OWNER_NAMES = { openai: 'OpenAI', google: 'Google', bfl: 'Black Forest Labs' };

/** The models of `/v1/models`, grouped by owner, with what is deprecated said so. */
export function ModelPicker({ models, model, onChange }) {
  const owners = [...new Set(models.map((each) => each.owned_by))];
  const lifecycle = model.lifecycle;
  // A div, not a label: a label around a select takes its options into the select's name.
  return html`<div class="field">
      <span aria-hidden="true">Model</span>
      <select name="model" aria-label="Model" value=${model.id} onChange=${(event) => onChange(event.target.value)}>
        ${owners.map(
          (owner) => html`<optgroup label=${OWNER_NAMES[owner] ?? owner}>
            ${models
              .filter((each) => each.owned_by === owner)
              .map(
                (each) =>
                  html`<option value=${each.id}>${each.id}${each.lifecycle.status === 'deprecated' ? ' (deprecated)' : ''}</option>`,
              )}
          </optgroup>`,
        )}
      </select>
    </div>
    ${model.description ? html`<p class="muted small pg-description">${model.description}</p>` : ''}
    ${
      lifecycle.status === 'deprecated'
        ? html`<div class="notice small">Deprecated${lifecycle.replacement ? html`: use <strong>${lifecycle.replacement}</strong>` : ''}${lifecycle.retires_at ? `, retires ${lifecycle.retires_at}` : ''}.</div>`
        : ''
    }`;
}

/** Generate or edit, as far as the model does either. */
export function ModeSwitch({ model, mode, onChange }) {
  const choice = (value, label, enabled) => html`<label class=${enabled ? '' : 'muted'}>
    <input type="radio" name="mode" value=${value} checked=${mode === value} disabled=${!enabled} onChange=${() => onChange(value)} /> ${label}
  </label>`;
  return html`<fieldset class="segmented pg-mode" aria-label="Operation">
    ${choice('generate', 'Generate', canGenerate(model))}
    ${choice('edit', 'Edit images', canEdit(model))}
  </fieldset>`;
}

function Select({ label, name, value, options, onChange }) {
  return html`<div class="field">
    <span aria-hidden="true">${label}</span>
    <select name=${name} aria-label=${label} value=${value} onChange=${(event) => onChange(event.target.value)}>
      ${options.map((option) => (typeof option === 'string' ? html`<option value=${option}>${option}</option>` : html`<option value=${option.value}>${option.label}</option>`))}
    </select>
  </div>`;
}

function SizeControls({ rule, form, set }) {
  if (rule.mode === 'aspect') {
    const resolutions = resolutionsAt(rule, form.aspectRatio);
    const pickRatio = (aspectRatio) => {
      const at = resolutionsAt(rule, aspectRatio);
      const keep = at.some((option) => option.image_size === form.resolution);
      set({ aspectRatio, resolution: keep ? form.resolution : (at[0]?.image_size ?? '') });
    };
    return html`<${Select} label="Aspect ratio" name="aspect_ratio" value=${form.aspectRatio} options=${aspectRatios(rule)} onChange=${pickRatio} />
      ${
        resolutions.length > 0
          ? html`<${Select}
              label="Resolution"
              name="resolution"
              value=${form.resolution}
              options=${resolutions.map((option) => ({ value: option.image_size, label: `${option.image_size} · ${option.size.replace('x', '×')}` }))}
              onChange=${(resolution) => set({ resolution })}
            />`
          : ''
      }`;
  }
  const options = sizeChoices(rule).map((size) =>
    size === CUSTOM_SIZE
      ? { value: size, label: 'Custom…' }
      : { value: size, label: size === 'auto' ? 'auto' : size.replace('x', '×') },
  );
  return html`<${Select} label="Size" name="size" value=${form.size} options=${options} onChange=${(size) => set({ size })} />
    ${
      form.size === CUSTOM_SIZE
        ? html`<label class="field">
            <span>Custom size (W×H)</span>
            <input name="custom_size" placeholder="1920x1080" value=${form.customSize} onInput=${(event) => set({ customSize: event.target.value })} />
          </label>`
        : ''
    }`;
}

/** The request's parameters, each shown only where the chosen model supports it. */
export function ParameterControls({ model, form, set }) {
  const capabilities = model.capabilities;
  const formats = capabilities.output_formats.filter((format) => form.mode !== 'edit' || format !== 'svg');
  const transparentOk = transparentPossible(capabilities, form.outputFormat);
  const canStream = capabilities.partial_images === true;
  return html`<div class="pg-parameters">
    <${SizeControls} rule=${capabilities.sizes} form=${form} set=${set} />
    ${
      capabilities.qualities.length > 1
        ? html`<${Select} label="Quality" name="quality" value=${form.quality} options=${capabilities.qualities} onChange=${(quality) => set({ quality })} />`
        : ''
    }
    ${
      formats.length > 1
        ? html`<${Select} label="Format" name="output_format" value=${form.outputFormat} options=${formats} onChange=${(outputFormat) => set({ outputFormat })} />`
        : ''
    }
    <label class="field">
      <span>Images (n)</span>
      <input name="n" type="number" min="1" max=${capabilities.max_images_per_request} value=${form.n}
        onInput=${(event) => set({ n: event.target.value === '' ? 1 : Number(event.target.value) })} />
    </label>
    ${
      capabilities.transparent_background
        ? html`<label class="pg-check" title=${transparentOk ? '' : 'PNG or WebP only'}>
            <input type="checkbox" checked=${form.transparent && transparentOk} disabled=${!transparentOk}
              onChange=${(event) => set({ transparent: event.target.checked })} />
            Transparent background${transparentOk ? '' : html` <span class="muted">(PNG or WebP)</span>`}
          </label>`
        : ''
    }
  </div>
  <fieldset class="segmented pg-delivery" aria-label="Delivery">
    <label><input type="radio" name="delivery" value="wait" checked=${form.delivery === 'wait'} onChange=${() => set({ delivery: 'wait' })} /> Wait for the images</label>
    <label><input type="radio" name="delivery" value="job" checked=${form.delivery === 'job'} onChange=${() => set({ delivery: 'job' })} /> As a job</label>
  </fieldset>
  ${
    canStream
      ? html`<div class="row pg-stream">
          <label class="pg-check">
            <input type="checkbox" checked=${form.stream && form.delivery === 'wait'} disabled=${form.delivery !== 'wait'}
              onChange=${(event) => set({ stream: event.target.checked })} />
            Stream partial images
          </label>
          ${
            form.stream && form.delivery === 'wait'
              ? html`<select name="partial_images" aria-label="Partial images" value=${form.partialImages}
                  onChange=${(event) => set({ partialImages: Number(event.target.value) })}>
                  ${[1, 2, 3].map((count) => html`<option value=${count}>${count} partial${count > 1 ? 's' : ''}</option>`)}
                </select>`
              : ''
          }
          ${form.delivery !== 'wait' ? html`<span class="muted small">(a job is not streamed)</span>` : ''}
        </div>`
      : ''
  }`;
}
