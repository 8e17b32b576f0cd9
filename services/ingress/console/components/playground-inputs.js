import { html, useRef, useState } from '../lib/html.js';

let nextInputId = 1;

/** An uploaded image as the playground keeps it: the file, a `blob:` URL to show it, its pixel size. */
async function inputOf(file) {
  const bitmap = await createImageBitmap(file);
  const input = { id: nextInputId++, file, url: URL.createObjectURL(file), width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return input;
}

/**
 * The images to edit, in order (the first is the one a mask applies to): added from files, shown as
 * thumbnails with their size, removable. At most `max` (the model's `edits.max_input_images`).
 * The page owns the list (and revokes the `blob:` URLs of what is left when it goes).
 */
export function InputImages({ inputs, max, onChange }) {
  const [problem, setProblem] = useState(undefined);
  const latest = useRef(inputs);
  latest.current = inputs;

  const add = async (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    setProblem(undefined);
    const added = [];
    for (const file of files) {
      try {
        added.push(await inputOf(file));
      } catch {
        setProblem(`${file.name} is not an image this browser can read (PNG, JPEG or WebP).`);
      }
    }
    const all = [...latest.current, ...added];
    if (all.length > max) {
      setProblem(`This model takes at most ${max} input image${max === 1 ? '' : 's'}; the last ones were left out.`);
      for (const input of all.splice(max)) URL.revokeObjectURL(input.url);
    }
    onChange(all);
  };
  const remove = (input) => {
    URL.revokeObjectURL(input.url);
    onChange(latest.current.filter((each) => each.id !== input.id));
  };

  return html`<div class="field">
    <span>Input images <span class="muted">(up to ${max}; PNG, JPEG or WebP)</span></span>
    <input type="file" accept="image/png,image/jpeg,image/webp" multiple=${max > 1} aria-label="Input images" onChange=${add} />
    ${problem ? html`<div class="notice small">${problem}</div>` : ''}
    ${
      inputs.length > max
        ? html`<div class="notice small">
            ${max === 1 ? 'This model takes one image: only the first is sent.' : `This model takes ${max} images: only the first ${max} are sent.`}
          </div>`
        : ''
    }
    ${
      inputs.length > 0
        ? html`<ul class="pg-inputs">
            ${inputs.map(
              (input, index) => html`<li key=${input.id}>
                <img class="thumb" src=${input.url} alt=${`Input image ${index + 1}`} />
                <span class="small"><span class="pg-input-name">${input.file.name}</span><br /><span class="muted">${input.width}×${input.height}</span></span>
                <button type="button" class="pg-remove" aria-label=${`Remove ${input.file.name}`} onClick=${() => remove(input)}>×</button>
              </li>`,
            )}
          </ul>`
        : ''
    }
  </div>`;
}
