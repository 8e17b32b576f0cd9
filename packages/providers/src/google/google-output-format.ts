import { mediaTypeOf } from '../spec.ts';

/** What to ask Google for: it renders PNG and JPEG only, so anything else falls back to PNG. */
export function requestedMediaType(outputFormat: string): { mediaType: string; warnings: string[] } {
  if (outputFormat === 'png' || outputFormat === 'jpeg') return { mediaType: mediaTypeOf(outputFormat), warnings: [] };
  return {
    mediaType: 'image/png',
    warnings: [`Google cannot produce output_format "${outputFormat}"; the image is PNG.`],
  };
}

/** Said when Google returned another format than asked (the Gemini API does not let us choose). */
export function formatMismatchWarning(requested: string, returned: string): string[] {
  return requested === returned ? [] : [`Google returned ${returned} although ${requested} was requested.`];
}
