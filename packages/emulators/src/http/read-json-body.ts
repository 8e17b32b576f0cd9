import type { IncomingMessage } from 'node:http';
import { readBody } from './read-body.ts';

/** Result of reading and parsing a JSON request body. */
export type JsonBodyRead =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'too_large' | 'aborted' }
  /** `message` is the parser's own explanation, which providers echo in their 400s. */
  | { ok: false; reason: 'invalid_json'; message: string };

/** Reads at most `maxBytes` and parses them as JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonBodyRead> {
  const read = await readBody(req, maxBytes);
  if (!read.ok) return read;
  try {
    return { ok: true, value: JSON.parse(read.body.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: 'invalid_json', message: error instanceof Error ? error.message : String(error) };
  }
}
