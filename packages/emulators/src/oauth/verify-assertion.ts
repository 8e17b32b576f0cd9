import type { KeyObject } from 'node:crypto';
import { verify } from 'node:crypto';

/** The claims of a service-account JWT-bearer assertion that the token endpoint cares about. */
export interface AssertionClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  /** Space-separated OAuth scopes. */
  scope?: string;
  /** Present when the client asks for an ID token instead of an access token. */
  target_audience?: string;
  sub?: string;
}

/** What the assertion must match. */
export interface AssertionExpectations {
  publicKey: KeyObject;
  /** `private_key_id`; checked only when the JWT header names a `kid`. */
  keyId: string;
  /** The service account's `client_email`, required as `iss`. */
  clientEmail: string;
  /** Accepted `aud` values (Google's token URL, and the emulator's own). */
  audiences: readonly string[];
  nowS: number;
}

/** Google's answer body for a refused assertion: `{error, error_description}`. */
export interface OAuthError {
  error: 'invalid_grant' | 'invalid_request' | 'invalid_scope';
  error_description: string;
}

/** Longest accepted `exp - iat`, as Google enforces. */
const MAX_LIFETIME_S = 3600;
/** Tolerated clock skew for an `iat` in the future. */
const CLOCK_SKEW_S = 60;
const TIMEFRAME_MESSAGE =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

/**
 * Verifies an RS256 JWT-bearer assertion the way Google's token endpoint does: signature first,
 * then issuer, audience and the time window. Errors carry Google's `error_description` texts.
 */
export function verifyAssertion(assertion: string, expected: AssertionExpectations): AssertionClaims | OAuthError {
  const parts = assertion.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) {
    return { error: 'invalid_grant', error_description: 'Invalid JWT: malformed assertion.' };
  }
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  if (header === undefined || payload === undefined) {
    return { error: 'invalid_grant', error_description: 'Invalid JWT: malformed assertion.' };
  }
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const kidMatches = header.kid === undefined || header.kid === expected.keyId;
  if (header.alg !== 'RS256' || !kidMatches || !verify('RSA-SHA256', signed, expected.publicKey, signature)) {
    return { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' };
  }
  if (payload.iss !== expected.clientEmail) {
    return { error: 'invalid_grant', error_description: 'Invalid grant: account not found' };
  }
  if (typeof payload.aud !== 'string' || !expected.audiences.includes(payload.aud)) {
    return { error: 'invalid_grant', error_description: 'Invalid JWT: Failed audience check.' };
  }
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    return { error: 'invalid_grant', error_description: TIMEFRAME_MESSAGE };
  }
  if (exp <= expected.nowS || iat > expected.nowS + CLOCK_SKEW_S || exp - iat > MAX_LIFETIME_S || exp <= iat) {
    return { error: 'invalid_grant', error_description: TIMEFRAME_MESSAGE };
  }
  const claims: AssertionClaims = { iss: payload.iss, aud: payload.aud, iat, exp };
  if (typeof payload.scope === 'string') claims.scope = payload.scope;
  if (typeof payload.target_audience === 'string') claims.target_audience = payload.target_audience;
  if (typeof payload.sub === 'string') claims.sub = payload.sub;
  return claims;
}

/** Narrows a {@link verifyAssertion} result to the error branch. */
export function isOAuthError(value: AssertionClaims | OAuthError): value is OAuthError {
  return 'error' in value;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
