import { InvalidRequestError } from '@imagegate/core';
import type { CatalogModel, EditCapabilities } from './catalog-schema.ts';
import { invalidParameter } from './invalid-parameter.ts';
import { type ResolvedParameters, resolveParameters } from './parameters.ts';
import type { ProviderOptionsSpec } from './provider-options.ts';
import type { RequestedParameters } from './requested-parameters.ts';

/** An edit's inputs as far as the catalog cares: their decoded sizes and the request parts they came in. */
export interface EditInputShapes {
  /** In order; `param` names the part in errors (`image[2]`, `images[2].image_url`). */
  images: readonly { width: number; height: number; param: string }[];
  /** The mask's part (`mask`, `mask.image_url`), when one was sent. */
  mask?: { param: string } | undefined;
  inputFidelity?: 'high' | 'low' | undefined;
}

/** The 400 for a model that cannot edit, naming the models that can. */
export function cannotEdit(model: CatalogModel, editors: readonly CatalogModel[]): InvalidRequestError {
  return new InvalidRequestError(
    `${model.id} cannot edit images. Models that can: ${editors.map((each) => each.id).join(', ')}.`,
    { param: 'model', code: 'model_not_supported' },
  );
}

/** The edit capabilities of a model, or the 400 naming the models that have them. */
export function editCapabilitiesOf(model: CatalogModel, editors: readonly CatalogModel[]): EditCapabilities {
  if (model.capabilities.edits === false) throw cannotEdit(model, editors);
  return model.capabilities.edits;
}

/**
 * Narrows an edit to `model`: the generation parameters (see `resolveParameters`), sized after the
 * first image when the request names no size, and the inputs checked against what the model takes
 * (how many images, how large, a mask at all). Throws a 400 naming the part the model cannot take;
 * `input_fidelity` on a model without it, or a size on a model that keeps the input's, is said in a
 * warning and dropped.
 */
export function resolveEditParameters(
  model: CatalogModel,
  capabilities: EditCapabilities,
  requested: RequestedParameters,
  inputs: EditInputShapes,
  providers: readonly ProviderOptionsSpec[],
): ResolvedParameters {
  const over = inputs.images[capabilities.maxInputImages];
  if (over !== undefined) {
    throw invalidParameter(over.param, `${model.id} takes at most ${capabilities.maxInputImages} input images.`);
  }
  for (const image of inputs.images) {
    if (image.width * image.height > capabilities.maxInputPixels) {
      throw invalidParameter(
        image.param,
        `${image.param} is ${image.width}x${image.height}; ${model.id} takes input images of at most ${capabilities.maxInputPixels} pixels.`,
      );
    }
  }
  if (inputs.mask !== undefined && !capabilities.mask) {
    throw invalidParameter(
      inputs.mask.param,
      `${model.id} does not take a mask: it edits the whole image from the prompt. Send no mask, or use a model that takes one.`,
    );
  }
  const [first] = inputs.images;
  const warnings: string[] = [];
  let sized: RequestedParameters = { ...requested, followImage: first };
  if (capabilities.keepsInputSize && first !== undefined) {
    if (requested.size !== undefined || requested.aspect_ratio !== undefined) {
      warnings.push(
        `${model.id} keeps the input image's size (${first.width}x${first.height}); the requested size was ignored.`,
      );
    }
    sized = { ...requested, size: 'auto', aspect_ratio: undefined };
  }
  const resolved = resolveParameters(model, sized, providers);
  const parameters = { ...resolved.parameters };
  if (parameters.outputFormat === 'svg') {
    throw invalidParameter('output_format', 'SVG output is made by generations only; edit to png, jpeg, webp or gif.');
  }
  if (parameters.outputFormat === 'gif' && inputs.mask !== undefined) {
    throw invalidParameter(inputs.mask.param, 'A GIF edit takes no mask; send the edit without one, or ask for png.');
  }
  if (capabilities.keepsInputSize && first !== undefined) parameters.size = `${first.width}x${first.height}`;
  if (inputs.inputFidelity !== undefined) {
    if (capabilities.inputFidelity) parameters.inputFidelity = inputs.inputFidelity;
    else warnings.push(`${model.id} does not take input_fidelity; it was ignored.`);
  }
  return { parameters, warnings: [...warnings, ...resolved.warnings] };
}
