/** Inputs that decide where objects of one bucket live. */
export interface BucketLocation {
  /** Base URL of an S3-compatible service, e.g. `http://127.0.0.1:4568`; unset means AWS. */
  endpoint?: string;
  /** AWS region, e.g. `us-east-1`. */
  region: string;
  bucket: string;
  /** Put the bucket in the path (`/bucket/key`) instead of the host name. */
  forcePathStyle: boolean;
}

// Mirrors the SDK's endpoint rules: only DNS-safe names without dots can be virtual hosts over
// HTTPS (dots would break the wildcard certificate), everything else falls back to path style.
const VIRTUAL_HOSTABLE_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

function awsDnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/**
 * Returns the URL prefix that an encoded object key is appended to (after a `/`), without a
 * trailing slash, e.g. `http://127.0.0.1:4568/images` or `https://images.s3.eu-west-1.amazonaws.com`.
 * Only the AWS commercial and China partitions are known; set `endpoint` for anything else.
 */
export function objectUrlPrefix(location: BucketLocation): string {
  const { bucket, region } = location;
  const base = new URL(location.endpoint ?? `https://s3.${region}.${awsDnsSuffix(region)}`);
  const basePath = base.pathname.replace(/\/+$/, '');
  const virtualHost = !location.forcePathStyle && VIRTUAL_HOSTABLE_BUCKET.test(bucket);
  if (virtualHost) {
    return `${base.protocol}//${bucket}.${base.host}${basePath}`;
  }
  return `${base.protocol}//${base.host}${basePath}/${bucket}`;
}
