import { timingSafeEqual } from 'node:crypto';
import { createGetPresigner, type SigningCredentials } from '@imagegate/storage';

/** What S3 would make of a presigned GET. */
export type PresignedGetVerdict = 'not-presigned' | 'valid' | 'signature-mismatch';

/** `20240506T070809Z` → a Date, or undefined. */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

/**
 * Checks a path-style SigV4 presigned GET (`/<bucket>/<key>?X-Amz-…`) the way S3 does, which
 * s3rver 3.7 does not (it checks only the access key id and the expiry): the request must be
 * exactly what `presignGet` would sign for its key, date and expiry, signature included. Any
 * change (the key, `X-Amz-Expires`, one character of the signature) is a mismatch.
 */
export function checkPresignedGet(
  request: { method?: string | undefined; url?: string | undefined; host?: string | undefined },
  credentials: SigningCredentials,
  region: string,
): PresignedGetVerdict {
  const url = new URL(request.url ?? '/', `http://${request.host ?? 'localhost'}`);
  const given = url.searchParams.get('X-Amz-Signature');
  if (given === null) return 'not-presigned';
  const date = parseAmzDate(url.searchParams.get('X-Amz-Date') ?? '');
  const expires = Number(url.searchParams.get('X-Amz-Expires'));
  const [, bucket, ...segments] = url.pathname.split('/');
  if (request.method !== 'GET' || date === undefined || bucket === undefined || segments.length === 0) {
    return 'signature-mismatch';
  }
  let key: string;
  try {
    key = segments.map(decodeURIComponent).join('/');
  } catch {
    return 'signature-mismatch';
  }
  let expected: string;
  try {
    expected = createGetPresigner(`${url.origin}/${bucket}`, region).presign(key, credentials, expires, date);
  } catch {
    return 'signature-mismatch'; // an expiry out of range, an empty key
  }
  const sent = Buffer.from(`${url.origin}${request.url ?? ''}`);
  const wanted = Buffer.from(expected);
  return sent.length === wanted.length && timingSafeEqual(sent, wanted) ? 'valid' : 'signature-mismatch';
}
