import { ModerationBlockedError, UpstreamError } from '@imagegate/core';
import type { ProviderImage, ProviderImageRequest } from '../spec.ts';
import { formatOfMediaType } from '../spec.ts';
import { type ImagenParameters, type ImagenPredictBody, readPredictions } from './google-api.ts';
import type { GoogleOptions } from './google-options.ts';
import { formatMismatchWarning } from './google-output-format.ts';

/** What one `:predict` call produced. */
export interface ImagenOutput {
  images: ProviderImage[];
  outputFormat: string;
  warnings: string[];
}

/** The Vertex `:predict` body for Imagen (docs/providers.md, "Imagen"). */
export function imagenPredictBody(
  request: ProviderImageRequest,
  mediaType: string,
  options: GoogleOptions,
): ImagenPredictBody {
  const parameters: ImagenParameters = {
    sampleCount: request.n,
    ...(request.aspectRatio === undefined ? {} : { aspectRatio: request.aspectRatio }),
    ...(request.imageSize === undefined ? {} : { sampleImageSize: request.imageSize }),
    includeRaiReason: true,
    outputOptions: {
      mimeType: mediaType,
      ...(request.outputCompression === undefined ? {} : { compressionQuality: request.outputCompression }),
    },
    ...(options.safetyFilterLevel === undefined ? {} : { safetySetting: options.safetyFilterLevel }),
    ...(options.personGeneration === undefined ? {} : { personGeneration: options.personGeneration }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.addWatermark === undefined ? {} : { addWatermark: options.addWatermark }),
    ...(options.enhancePrompt === undefined ? {} : { enhancePrompt: options.enhancePrompt }),
    ...(options.negativePrompt === undefined ? {} : { negativePrompt: options.negativePrompt }),
    ...(options.language === undefined ? {} : { language: options.language }),
  };
  return { instances: [{ prompt: request.prompt }], parameters };
}

/**
 * The images of a `:predict` answer. Vertex withholds filtered images with HTTP 200: they come back
 * as entries holding only `raiFilteredReason`, or are simply missing.
 */
export function imagenOutput(request: ProviderImageRequest, body: unknown, mediaType: string): ImagenOutput {
  const predictions = readPredictions(body);
  const images = predictions.flatMap((prediction) =>
    prediction.bytes && prediction.bytes.byteLength > 0
      ? [{ bytes: prediction.bytes, mediaType: prediction.mimeType ?? mediaType }]
      : [],
  );
  const reasons = predictions.flatMap((prediction) =>
    prediction.bytes && prediction.bytes.byteLength > 0
      ? []
      : prediction.raiFilteredReason
        ? [prediction.raiFilteredReason]
        : [],
  );
  const missing = Math.max(0, request.n - images.length);
  const first = images[0];
  if (first === undefined) {
    if (reasons.length > 0) {
      throw new ModerationBlockedError(`Google's safety filter withheld every image. ${reasons.join(' ')}`.trim());
    }
    throw new UpstreamError('Google answered without an image.', { code: 'upstream_no_image', retryable: true });
  }
  const requested = formatOfMediaType(mediaType);
  const outputFormat = formatOfMediaType(first.mediaType);
  const warnings = formatMismatchWarning(requested, outputFormat);
  if (missing > 0) {
    warnings.push(
      reasons.length > 0
        ? `${missing} of ${request.n} images ${missing === 1 ? 'was' : 'were'} withheld by Google's safety filter.`
        : `Google returned ${images.length} of ${request.n} images.`,
    );
  }
  return { images, outputFormat, warnings };
}
