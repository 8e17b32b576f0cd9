import { defaultSizeChoice, sizeFields } from './playground-sizes.js';

// The playground's form as the API request it stands for: one function builds the fields, so the
// quote, the request sent and the snippets always agree.

/** The model's default output format: PNG where it makes PNG (OpenAI's default), else its first. */
export function defaultFormat(capabilities) {
  return capabilities.output_formats.includes('png') ? 'png' : capabilities.output_formats[0];
}

/** A transparent background needs a model that can, and a format with an alpha channel. */
export function transparentPossible(capabilities, outputFormat) {
  return capabilities.transparent_background === true && (outputFormat === 'png' || outputFormat === 'webp');
}

/** Whether the request streams: the model streams partials, the user asked, and the answer is awaited. */
export function streams(model, form) {
  return (
    model.capabilities.partial_images === true &&
    form.stream &&
    form.delivery === 'wait' &&
    form.outputFormat !== 'gif' &&
    form.outputFormat !== 'svg'
  );
}

export function canEdit(model) {
  return model.capabilities.edits !== false;
}

export function canGenerate(model) {
  return model.capabilities.edits_only !== true;
}

/** The form for a newly chosen model: its defaults, keeping what still applies from the last one. */
export function formFor(model, previous = {}) {
  const capabilities = model.capabilities;
  const mode = !canGenerate(model) ? 'edit' : previous.mode === 'edit' && canEdit(model) ? 'edit' : 'generate';
  return {
    prompt: previous.prompt ?? '',
    mode,
    ...defaultSizeChoice(capabilities.sizes),
    customSize: previous.customSize ?? '',
    quality: capabilities.qualities.includes('auto') ? 'auto' : capabilities.qualities[0],
    outputFormat: defaultFormat(capabilities),
    transparent: false,
    n: Math.min(previous.n ?? 1, capabilities.max_images_per_request),
    stream: previous.stream ?? false,
    partialImages: previous.partialImages ?? 2,
    delivery: previous.delivery ?? 'wait',
  };
}

/**
 * The request's fields, in the order a person would write them; only what differs from the
 * model's defaults. Answers come as signed URLs (small, and the page shows them), streams as base64.
 */
export function requestFields(model, form) {
  const capabilities = model.capabilities;
  const fields = { model: model.id, prompt: form.prompt };
  if (form.n !== 1) fields.n = form.n;
  Object.assign(fields, sizeFields(capabilities.sizes, form));
  if (form.quality !== 'auto') fields.quality = form.quality;
  if (form.outputFormat !== defaultFormat(capabilities)) fields.output_format = form.outputFormat;
  if (form.transparent && transparentPossible(capabilities, form.outputFormat)) fields.background = 'transparent';
  if (streams(model, form)) {
    fields.stream = true;
    fields.partial_images = form.partialImages;
  } else {
    fields.response_format = 'url';
  }
  return fields;
}

/** Whether the painted mask goes with the edit: the model takes one and something was painted. */
export function sendsMask(model, form, maskPainted) {
  const edits = model.capabilities.edits;
  return form.mode === 'edit' && edits !== false && edits.mask && maskPainted;
}

/**
 * The body of `POST /v1/images/quote` for the form: the request's fields (the prompt only when there
 * is one: without it the quote leaves its tokens out and says so), and for an edit the input images'
 * sizes and whether a mask goes with them. Null when an edit has no image yet.
 */
export function quoteBody(model, form, inputs, maskPainted) {
  const { prompt, ...fields } = requestFields(model, form);
  const body = prompt.trim() === '' ? fields : { ...fields, prompt };
  if (form.mode !== 'edit') return body;
  if (inputs.length === 0) return null;
  return {
    ...body,
    operation: 'edit',
    input_images: inputs.map(({ width, height }) => ({ width, height })),
    ...(sendsMask(model, form, maskPainted) ? { mask: true } : {}),
  };
}

/** An edit as multipart, the way the OpenAI SDKs send it: text fields, `image[]` files, `mask`. */
export function editFormData(fields, inputs, maskBlob) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  for (const input of inputs) form.append('image[]', input.file, input.file.name);
  if (maskBlob !== undefined) form.append('mask', maskBlob, 'mask.png');
  return form;
}
