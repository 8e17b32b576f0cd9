/** Minimal pino-compatible logger accepted by the local-infrastructure helpers. */
export interface LocalLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
