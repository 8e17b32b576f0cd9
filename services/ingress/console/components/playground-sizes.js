// The size choices of a model, from its `capabilities.sizes` rule on /v1/models: a fixed list, a free
// `WxH` range (offered as common sizes that fit it, or any size typed in), or aspect ratios with
// resolution classes.

/** Common sizes, offered where a free-size model can make them exactly. */
const COMMON_SIZES = [
  '1024x1024',
  '1536x1024',
  '1024x1536',
  '1536x864',
  '864x1536',
  '1344x768',
  '768x1344',
  '1024x768',
  '768x1024',
  '2048x2048',
  '2048x1152',
  '1152x2048',
  '2560x1440',
  '3840x2160',
  '2160x3840',
];

/** The choice that lets the user type any `WxH` (the API maps or refuses it, and the quote says which). */
export const CUSTOM_SIZE = 'custom';

function fitsFreeRule(rule, size) {
  const [width, height] = size.split('x').map(Number);
  const pixels = width * height;
  return (
    width % rule.multiple_of === 0 &&
    height % rule.multiple_of === 0 &&
    Math.min(width, height) >= (rule.min_edge ?? 1) &&
    Math.max(width, height) <= rule.max_edge &&
    Math.max(width, height) / Math.min(width, height) <= rule.max_aspect_ratio &&
    pixels >= rule.min_pixels &&
    pixels <= rule.max_pixels
  );
}

/** The `size` values to offer for a fixed or free rule (`auto` first where the model picks for itself). */
export function sizeChoices(rule) {
  const listed = rule.mode === 'fixed' ? rule.values : COMMON_SIZES.filter((size) => fitsFreeRule(rule, size));
  const sizes = [rule.default, ...listed.filter((size) => size !== rule.default)];
  return [...(rule.auto ? ['auto'] : []), ...sizes, ...(rule.mode === 'free' ? [CUSTOM_SIZE] : [])];
}

/** The aspect ratios of an aspect rule, in the catalog's order. */
export function aspectRatios(rule) {
  return [...new Set(rule.options.map((option) => option.aspect_ratio))];
}

/** The resolution classes offered at one aspect ratio (empty for models without any). */
export function resolutionsAt(rule, aspectRatio) {
  return rule.options.filter((option) => option.aspect_ratio === aspectRatio && option.image_size !== undefined);
}

/** The starting size choice of a rule: what the model does when asked nothing. */
export function defaultSizeChoice(rule) {
  if (rule.mode !== 'aspect') return { size: rule.auto ? 'auto' : rule.default, customSize: '' };
  const option = rule.options.find((each) => each.size === rule.default) ?? rule.options[0];
  return { aspectRatio: option.aspect_ratio, resolution: option.image_size ?? '' };
}

/**
 * The request's size fields for the form's choice: `size` for fixed and free rules; for an aspect
 * rule `aspect_ratio` alone at the default resolution (the model's own form), else the `WxH` of the
 * chosen resolution, which the model maps exactly.
 */
export function sizeFields(rule, form) {
  if (rule.mode !== 'aspect') {
    const size = form.size === CUSTOM_SIZE ? form.customSize.trim() : form.size;
    // `auto` is what the API does without a size: left out, as a person writing the request would.
    return size === '' || size === 'auto' ? {} : { size };
  }
  const option = rule.options.find(
    (each) => each.aspect_ratio === form.aspectRatio && (each.image_size ?? '') === form.resolution,
  );
  if (option === undefined) return { aspect_ratio: form.aspectRatio };
  const atDefault = option.image_size === undefined || option.image_size === rule.default_image_size;
  return atDefault ? { aspect_ratio: option.aspect_ratio } : { size: option.size };
}
