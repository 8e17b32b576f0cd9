/** Thrown when a requested object (or its bucket) does not exist. */
export class ObjectNotFoundError extends Error {
  readonly code = 'OBJECT_NOT_FOUND';
  readonly bucket: string;
  readonly key: string;

  /** `location` names the missing object in the message; default `s3://<bucket>/<key>`. */
  constructor(bucket: string, key: string, options?: { cause?: unknown; location?: string }) {
    super(`object not found: ${options?.location ?? `s3://${bucket}/${key}`}`, options);
    this.name = 'ObjectNotFoundError';
    this.bucket = bucket;
    this.key = key;
  }
}
