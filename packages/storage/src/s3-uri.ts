/**
 * Percent-encodes a string the way the AWS SDK does for SigV4 (RFC 3986 unreserved characters
 * stay as they are). `encodeURIComponent` alone leaves `!'()*` unescaped, which S3 would then
 * canonicalise differently and reject the signature.
 */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Encodes an object key for use in an S3 URL path: every segment is RFC 3986-encoded and the
 * `/` separators are kept, matching the SDK's greedy `{Key+}` label so signatures agree.
 */
export function encodeS3Key(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/');
}
