import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';

export type { Logger };

/** Paths never written to a log: credentials and image bytes. */
const REDACT_PATHS = [
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
];

export interface LoggerOptions {
  /** pino level (default `info`; `silent` in tests). */
  level?: string;
  name?: string;
  /** Where lines go (default stdout); tests pass a buffer to read what was logged. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
    },
    options.destination,
  );
}
