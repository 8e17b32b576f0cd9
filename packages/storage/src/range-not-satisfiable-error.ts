/** Thrown when a requested byte range starts past the end of the object. */
export class RangeNotSatisfiableError extends Error {
  readonly code = 'RANGE_NOT_SATISFIABLE';
  readonly key: string;
  /** The object's size in bytes, when the store knows it (S3's refusal does not say). */
  readonly size: number | undefined;

  constructor(key: string, size: number | undefined, options?: { cause?: unknown }) {
    super(`range not satisfiable for ${key}${size === undefined ? '' : ` (${size} bytes)`}`, options);
    this.name = 'RangeNotSatisfiableError';
    this.key = key;
    this.size = size;
  }
}
