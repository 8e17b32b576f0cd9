import type { Metadata } from 'sharp';
import sharp from 'sharp';
import type { RunningGoogleEmulator } from './emulator.ts';

/**
 * Parsed JSON walked loosely in tests: any key may be read (`body.error?.status`) and the leaf is
 * compared with `expect`. Arrays come back through {@link list}.
 */
export interface Loose {
  readonly [key: string]: Loose | undefined;
}

/** A raw HTTP answer with its JSON body, for asserting wire formats in tests. */
export interface JsonReply {
  status: number;
  headers: Headers;
  body: Loose;
}

/** The elements of a JSON array (empty when `value` is not one). */
export function list(value: Loose | undefined): Loose[] {
  return Array.isArray(value) ? (value as Loose[]) : [];
}

/** POSTs JSON and parses the JSON answer. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? {} : JSON.parse(text)) as Loose };
}

/** The Vertex URL of a publisher model method on the emulator. */
export function vertexUrl(
  emulator: RunningGoogleEmulator,
  model: string,
  method: 'predict' | 'generateContent',
  options: { project?: string; location?: string; version?: string } = {},
): string {
  const project = options.project ?? emulator.projectId;
  const location = options.location ?? 'us-central1';
  return `${emulator.url}/${options.version ?? 'v1'}/projects/${project}/locations/${location}/publishers/google/models/${model}:${method}`;
}

/** The Gemini API `generateContent` URL on the emulator. */
export function geminiUrl(emulator: RunningGoogleEmulator, model: string): string {
  return `${emulator.url}/v1beta/models/${model}:generateContent`;
}

/** Decodes base64 image bytes with sharp. */
export function decode(base64: unknown): Promise<Metadata> {
  if (typeof base64 !== 'string') throw new Error(`expected base64 image data, got ${typeof base64}`);
  return sharp(Buffer.from(base64, 'base64')).metadata();
}
