import { sign } from 'node:crypto';

/**
 * Signs a JWT-bearer assertion with RS256, as a service-account client does. Used by tests and by
 * hand-rolled clients that do not want google-auth-library.
 * @param privateKeyPem the service account's `private_key`.
 * @param header extra header fields (e.g. `kid`); `alg` is always RS256.
 */
export function signAssertion(
  claims: Record<string, unknown>,
  privateKeyPem: string,
  header: Record<string, unknown> = {},
): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ ...header, alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKeyPem).toString('base64url')}`;
}
