import { createHash, createHmac } from 'node:crypto';
import type { SigningCredentials } from './presign-get.ts';
import { amzDateOf, createSigningKeys } from './signing-key.ts';

/**
 * The body is not hashed into the signature (as the AWS SDK signs streamed bodies): hashing 1 MiB
 * costs ~1.5 ms of CPU. S3 and its clones accept it over http and https alike; the length, the
 * key, the content type and the date stay signed.
 */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** A request to S3 about to be signed. */
export interface S3RequestToSign {
  method: string;
  /** The path exactly as sent (already percent-encoded the way S3 canonicalises it). */
  path: string;
  /** The `Host` header as sent (with the port when it is not the protocol's default). */
  host: string;
  /** Headers to sign besides host and the x-amz ones added here: lower-case names, values as sent. */
  headers: Record<string, string>;
  /** `x-amz-content-sha256`: the body's SHA-256 in hex, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
}

/**
 * SigV4 in the Authorization header, for S3 object requests without a query string: returns the
 * headers to send (the given ones, `x-amz-date`, `x-amz-content-sha256`, the session token when
 * there is one, and `authorization`). The same signature the AWS SDK computes, without its
 * middleware stack (endpoint rules, retries, schema serialisation, checksums), which cost more
 * than the PUT of a 1 MiB image itself.
 */
export function createS3RequestSigner(region: string) {
  const signingKey = createSigningKeys(region);
  return (request: S3RequestToSign, credentials: SigningCredentials, now = new Date()): Record<string, string> => {
    const amzDate = amzDateOf(now);
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${region}/s3/aws4_request`;
    const headers: Record<string, string> = {
      ...request.headers,
      'x-amz-content-sha256': request.payloadHash,
      'x-amz-date': amzDate,
    };
    if (credentials.sessionToken !== undefined) headers['x-amz-security-token'] = credentials.sessionToken;
    const signed = Object.entries({ ...headers, host: request.host })
      .map(([name, value]) => [name, value.trim().replace(/\s+/g, ' ')] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const signedHeaders = signed.map(([name]) => name).join(';');
    const canonicalRequest = [
      request.method,
      request.path,
      '',
      ...signed.map(([name, value]) => `${name}:${value}`),
      '',
      signedHeaders,
      request.payloadHash,
    ].join('\n');
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day))
      .update(stringToSign)
      .digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  };
}

export type S3RequestSigner = ReturnType<typeof createS3RequestSigner>;
