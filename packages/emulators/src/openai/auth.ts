import type { OpenAIErrorReply } from './errors.ts';
import { openAIError } from './errors.ts';

const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.";

/**
 * Checks `Authorization: Bearer <key>` against the expected key; returns the 401 reply OpenAI
 * would send, or undefined when the key matches.
 */
export function checkBearer(header: string | undefined, apiKey: string): OpenAIErrorReply | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const key = match?.[1];
  if (key === undefined || key.length === 0) return openAIError(401, 'invalid_request_error', MISSING_KEY_MESSAGE);
  if (key === apiKey) return undefined;
  const message = `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  return openAIError(401, 'invalid_request_error', message, null, 'invalid_api_key');
}

/** Shows only the ends of a key, as OpenAI does, so logs of failed tests never leak a real key. */
function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}
