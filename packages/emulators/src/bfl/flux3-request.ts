import type { IssueList } from './pydantic-errors.ts';
import { readBool, readEnum, readInt, readString } from './pydantic-errors.ts';

/** FLUX 3 Image's aspect ratios (besides `auto`, which renders 1:1 here). */
export const FLUX3_ASPECT_RATIOS = [
  '21:9',
  '2:1',
  '16:9',
  '3:2',
  '7:5',
  '4:3',
  '5:4',
  '1:1',
  '4:5',
  '3:4',
  '5:7',
  '2:3',
  '9:16',
  '1:2',
  '9:21',
] as const;

/** Its resolutions, by the edge of the square of the same pixel count (≈0.6, 1, 2.4, 4.2, 16.8 MP). */
export const FLUX3_RESOLUTIONS: Readonly<Record<string, number>> = {
  '768sq': 768,
  '1k': 1024,
  '1.5k': 1536,
  '2k': 2048,
  '4k': 4096,
};

/** The only fields FLUX 3 Image takes: its schema is strict, anything else is a 422. */
const FLUX3_FIELDS = new Set([
  'prompt',
  'images',
  'aspect_ratio',
  'resolution',
  'safety_tolerance',
  'grounding',
  'webhook_url',
  'webhook_secret',
]);

/** `W`×`H` of a ratio at a resolution, on the 16 grid. */
export function flux3Pixels(aspectRatio: string, edge: number): { width: number; height: number } {
  const [w, h] = aspectRatio.split(':').map(Number);
  const ratio = (w ?? 1) / (h ?? 1);
  const round = (value: number) => Math.max(16, Math.round(value / 16) * 16);
  return { width: round(edge * Math.sqrt(ratio)), height: round(edge / Math.sqrt(ratio)) };
}

/**
 * Validates what FLUX 3 Image adds and forbids (third-party reports of its strict schema): unknown
 * fields (`width`, `seed`, `output_format` …) are refused, `images` are 1–10 references,
 * `safety_tolerance` 0–4. Returns the output size, or undefined after adding the issues.
 */
export function readFlux3(
  fields: Record<string, unknown>,
  issues: IssueList,
): { width: number; height: number } | undefined {
  for (const key of Object.keys(fields)) {
    if (!FLUX3_FIELDS.has(key)) issues.add(key, 'extra_forbidden', 'Extra inputs are not permitted', fields[key]);
  }
  readInt(fields, 'safety_tolerance', issues, { ge: 0, le: 4 });
  readBool(fields, 'grounding', issues);
  const images = fields.images;
  if (images !== undefined && (!Array.isArray(images) || images.length < 1 || images.length > 10)) {
    issues.add('images', 'too_long', 'List should have between 1 and 10 items', images);
  }
  const before = issues.issues.length;
  const aspectRatio = readEnum(fields, 'aspect_ratio', ['auto', ...FLUX3_ASPECT_RATIOS], issues) ?? 'auto';
  const resolution = readString(fields, 'resolution', issues) ?? '1k';
  const edge = FLUX3_RESOLUTIONS[resolution];
  if (edge === undefined) {
    issues.add('resolution', 'enum', `Input should be ${Object.keys(FLUX3_RESOLUTIONS).join(', ')}`, resolution);
  }
  if (issues.issues.length > before || edge === undefined) return undefined;
  return flux3Pixels(aspectRatio === 'auto' ? '1:1' : aspectRatio, edge);
}
