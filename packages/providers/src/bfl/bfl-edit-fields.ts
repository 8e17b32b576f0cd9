import sharp from 'sharp';
import type { ProviderEditInputs, ProviderImageRequest, ProviderInputImage } from '../spec.ts';

/** BFL's inpainting model: `image` and a black/white `mask` instead of reference images. */
export const isFillModel = (providerModel: string): boolean => providerModel === 'flux-pro-1.0-fill';

const base64Of = async (image: ProviderInputImage): Promise<string> =>
  Buffer.from(await image.data.arrayBuffer()).toString('base64');

/**
 * The submit fields that carry an edit's inputs, inline as base64 (BFL fetches URLs itself, and ours
 * are private): FLUX 3 takes `images`; Kontext and FLUX.2 `input_image`, `input_image_2` … (the
 * catalog caps how many); Fill takes `image` and `mask`, the mask turned into its convention.
 */
export async function bflEditFields(request: ProviderImageRequest): Promise<Record<string, unknown>> {
  const inputs: ProviderEditInputs | undefined = request.inputs;
  if (inputs === undefined) return {};
  if (request.providerModel.startsWith('flux-3')) return { images: await Promise.all(inputs.images.map(base64Of)) };
  if (isFillModel(request.providerModel)) {
    const [image] = inputs.images;
    if (image === undefined) throw new Error('a fill needs an image');
    return {
      image: await base64Of(image),
      ...(inputs.mask === undefined ? {} : { mask: (await fillMaskOf(inputs.mask)).toString('base64') }),
    };
  }
  const encoded = await Promise.all(inputs.images.map(base64Of));
  return Object.fromEntries(
    encoded.map((image, index) => [index === 0 ? 'input_image' : `input_image_${index + 1}`, image]),
  );
}

/**
 * OpenAI's mask (alpha 0 = repaint) as FLUX Fill's: a greyscale PNG of the same size, white where
 * to repaint and black where to keep. Only fully transparent pixels are repainted, as OpenAI says.
 */
export async function fillMaskOf(mask: ProviderInputImage): Promise<Buffer> {
  const { data, info } = await sharp(Buffer.from(await mask.data.arrayBuffer()))
    .ensureAlpha()
    .extractChannel('alpha')
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let at = 0; at < data.length; at++) data[at] = data[at] === 0 ? 255 : 0;
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
    .png()
    .toBuffer();
}
