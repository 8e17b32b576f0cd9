import { unknownField } from './errors.ts';
import type { GoogleSurface } from './fault-replies.ts';
import type { JsonObject } from './read-fields.ts';
import { camelCase, field, Invalid, invalid, isJsonObject, unknownKey } from './read-fields.ts';

/** What the emulator takes from `contents`: the prompt and what the prompt costs. */
export interface ContentsSummary {
  /** Text of the last user turn (directives and colour come from here). */
  prompt: string;
  /** Characters of text across all turns, for `promptTokenCount`. */
  textChars: number;
  /** Inline or file images across all turns, charged per image. */
  inputImages: number;
  /** Base64 of the first inline image in a user turn: the reference an edit's output derives from. */
  referenceImage?: string;
}

/** Part fields of the `data` oneof plus the metadata fields Google accepts beside them. */
const DATA_FIELDS = [
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
] as const;
const PART_FIELDS = new Set<string>([
  ...DATA_FIELDS,
  'thought',
  'thoughtSignature',
  'videoMetadata',
  'mediaResolution',
  'partMetadata',
]);
const CONTENT_FIELDS = new Set(['role', 'parts']);
const ROLES = ['user', 'model'];

/**
 * Validates `contents` as the Gemini API / Vertex do, with their `* GenerateContentRequest…`
 * messages. Vertex requires `role` on every turn; the Gemini API defaults it to `user`.
 */
export function readContents(body: JsonObject, surface: GoogleSurface): ContentsSummary | Invalid {
  const contents = field(body, 'contents');
  if (contents === undefined || contents === null || (Array.isArray(contents) && contents.length === 0)) {
    return invalid('* GenerateContentRequest.contents: contents is not specified\n');
  }
  if (!Array.isArray(contents)) {
    return invalid(`Invalid value at 'contents': expected a list, got ${JSON.stringify(contents)}`);
  }
  let prompt = '';
  let textChars = 0;
  let inputImages = 0;
  let referenceImage: string | undefined;
  for (const [index, content] of contents.entries()) {
    const at = `contents[${index}]`;
    if (!isJsonObject(content)) return invalid(`Invalid value at '${at}': expected a Content object.`);
    const extra = unknownKey(content, CONTENT_FIELDS);
    if (extra !== undefined) return new Invalid(unknownField(extra, at));
    const role = content.role;
    if ((role === undefined || role === null || role === '') && surface === 'vertex') {
      return invalid('Please use a valid role: user, model.');
    }
    if (role !== undefined && role !== null && role !== '' && (typeof role !== 'string' || !ROLES.includes(role))) {
      return invalid('Please use a valid role: user, model.');
    }
    const parts = content.parts;
    if (!Array.isArray(parts) || parts.length === 0) {
      return invalid(`* GenerateContentRequest.${at}.parts: contents.parts must not be empty.\n`);
    }
    const texts: string[] = [];
    for (const [partIndex, part] of parts.entries()) {
      const partAt = `${at}.parts[${partIndex}]`;
      const read = readPart(part, partAt);
      if (read instanceof Invalid) return read;
      if (read.text !== undefined) {
        textChars += read.text.length;
        if (!read.thought) texts.push(read.text);
      }
      if (read.image) inputImages++;
      if (role !== 'model') referenceImage ??= read.inlineImage;
    }
    if (role !== 'model') prompt = texts.join('\n');
  }
  return { prompt, textChars, inputImages, ...(referenceImage === undefined ? {} : { referenceImage }) };
}

function readPart(
  part: unknown,
  at: string,
): { text?: string; image: boolean; thought: boolean; inlineImage?: string } | Invalid {
  if (!isJsonObject(part)) return invalid(`Invalid value at '${at}': expected a Part object.`);
  const extra = unknownKey(part, PART_FIELDS);
  if (extra !== undefined) return new Invalid(unknownField(extra, at));
  const present = DATA_FIELDS.filter((name) => field(part, name) !== undefined && field(part, name) !== null);
  if (present.length === 0) {
    return invalid(
      `* GenerateContentRequest.${at}.data: required oneof field 'data' must have one initialized field\n`,
    );
  }
  if (present.length > 1) {
    return invalid(
      `Invalid value at '${at}': oneof field 'data' is already set. Cannot set '${camelCase(present[1] ?? '')}'`,
    );
  }
  const thought = field(part, 'thought') === true;
  const text = field(part, 'text');
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') {
      return invalid(`Invalid value at '${at}.text' (TYPE_STRING), ${JSON.stringify(text)}`);
    }
    return { text, image: false, thought };
  }
  const inline = field(part, 'inlineData');
  if (inline !== undefined && inline !== null) {
    if (!isJsonObject(inline)) return invalid(`Invalid value at '${at}.inline_data': expected a Blob object.`);
    const mimeType = field(inline, 'mimeType');
    const data = field(inline, 'data');
    if (typeof mimeType !== 'string' || mimeType === '') {
      return invalid(`* GenerateContentRequest.${at}.inline_data.mime_type: mime_type must be specified.\n`);
    }
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) {
      return invalid(`Invalid value at '${at}.inline_data.data' (TYPE_BYTES), Base64 decoding failed.`);
    }
    const image = mimeType.startsWith('image/');
    return image ? { image, thought, inlineImage: data } : { image, thought };
  }
  const file = field(part, 'fileData');
  if (isJsonObject(file)) {
    const mimeType = field(file, 'mimeType');
    return { image: typeof mimeType === 'string' && mimeType.startsWith('image/'), thought };
  }
  return { image: false, thought };
}
