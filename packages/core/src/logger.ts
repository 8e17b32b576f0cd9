import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';
import { REDACTED, SECRET_LOG_PATHS } from './redact-secrets.ts';

export type { Logger };

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
      redact: { paths: [...SECRET_LOG_PATHS], censor: REDACTED },
      base: undefined,
    },
    options.destination,
  );
}
