/**
 * Secrets never leave the process: not in a log line, an error message, an error's cause or an
 * answer. Every redaction in imagegate goes through this module, so what counts as a secret and
 * what replaces it is decided once.
 */

/** What a redacted secret reads as. */
export const REDACTED = '[redacted]';

/** Removes secrets from a text (an upstream's answer, an error message) before anyone can see it. */
export type Redact = (text: string) => string;

/** Replaces each of `secrets` wherever it appears in a text; empty secrets are ignored. */
export function secretRedactor(secrets: readonly string[]): Redact {
  const present = secrets.filter((secret) => secret.length > 0);
  return (text) => present.reduce((scrubbed, secret) => scrubbed.replaceAll(secret, REDACTED), text);
}

/** Field paths a logger never writes (pino `redact` syntax): credentials and image bytes. */
export const SECRET_LOG_PATHS: readonly string[] = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'apiKey',
  'api_key',
  'key',
  '*.apiKey',
  '*.api_key',
  'b64_json',
  '*.b64_json',
  'data[*].b64_json',
  'adminToken',
  'secret',
  '*.secret',
  'webhook_secret',
  'secretKey',
  'IMAGEGATE_SECRET_KEY',
  'IMAGEGATE_SECRET_KEY_PREVIOUS',
];

/** `redis://user:secret@host` → `redis://user:***@host`, for messages and logs about a connection URL. */
export function redactUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
