import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/read-body.ts';
import { sendJsonBody } from '../http/send-body.ts';
import type { AccessTokenStore } from './access-tokens.ts';
import type { ServiceAccountKey } from './service-account.ts';
import { isOAuthError, verifyAssertion } from './verify-assertion.ts';

/** Google's production token URL; google-auth-library signs assertions with it as `aud`. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MAX_FORM_BYTES = 64 * 1024;
/** Google never caches token responses; clients should not either. */
const NO_STORE = { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' };

/** What the token endpoint needs from the running emulator. */
export interface TokenEndpointDeps {
  key: ServiceAccountKey;
  /** The service account's `client_email`, required as the assertion's `iss`. */
  clientEmail: string;
  tokens: AccessTokenStore;
  /** The emulator's own token URL, also accepted as `aud`. */
  tokenUrl: string;
  /** Lifetime of issued access tokens, seconds. */
  tokenLifetimeS: number;
}

/**
 * `POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`:
 * verifies the RS256 assertion against the emulator's service-account key and answers
 * `{access_token, expires_in, token_type}`; refusals use Google's `{error, error_description}`.
 */
export async function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: TokenEndpointDeps,
): Promise<void> {
  if (req.method !== 'POST') {
    return sendJsonBody(res, 405, { error: 'invalid_request', error_description: 'Method not allowed; use POST.' });
  }
  const read = await readBody(req, MAX_FORM_BYTES);
  if (!read.ok) {
    if (read.reason === 'too_large') {
      sendJsonBody(res, 413, { error: 'invalid_request', error_description: 'Request too large.' });
    }
    return;
  }
  const contentType = req.headers['content-type'] ?? '';
  const form = parseForm(contentType, read.body.toString('utf8'));
  const grantType = form.get('grant_type');
  if (grantType === null) {
    return sendJsonBody(
      res,
      400,
      { error: 'invalid_request', error_description: 'Missing required parameter: grant_type' },
      NO_STORE,
    );
  }
  if (grantType !== JWT_BEARER_GRANT) {
    return sendJsonBody(
      res,
      400,
      { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grantType}` },
      NO_STORE,
    );
  }
  const assertion = form.get('assertion');
  if (assertion === null || assertion.length === 0) {
    return sendJsonBody(
      res,
      400,
      { error: 'invalid_request', error_description: 'Missing required parameter: assertion' },
      NO_STORE,
    );
  }
  const claims = verifyAssertion(assertion, {
    publicKey: deps.key.publicKey,
    keyId: deps.key.keyId,
    clientEmail: deps.clientEmail,
    audiences: [GOOGLE_TOKEN_URL, deps.tokenUrl],
    nowS: Math.floor(Date.now() / 1000),
  });
  if (isOAuthError(claims)) return sendJsonBody(res, 400, claims, NO_STORE);
  if (claims.target_audience !== undefined) {
    const description = 'ID tokens (target_audience) are not supported by the imagegate emulator.';
    return sendJsonBody(res, 400, { error: 'invalid_request', error_description: description }, NO_STORE);
  }
  const scopes = (claims.scope ?? '').split(/\s+/).filter((scope) => scope.length > 0);
  if (scopes.length === 0) {
    const description = 'Invalid OAuth scope or ID token audience provided.';
    return sendJsonBody(res, 400, { error: 'invalid_scope', error_description: description }, NO_STORE);
  }
  const accessToken = deps.tokens.issue(scopes, deps.tokenLifetimeS * 1000);
  sendJsonBody(
    res,
    200,
    { access_token: accessToken, expires_in: deps.tokenLifetimeS, token_type: 'Bearer' },
    NO_STORE,
  );
}

/** Google accepts the form body; a JSON body is tolerated too since some hand-rolled clients send it. */
function parseForm(contentType: string, text: string): URLSearchParams {
  if (/^application\/json/i.test(contentType)) {
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
        const entries = Object.entries(json).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
        return new URLSearchParams(entries);
      }
    } catch {
      // Fall through: an unparsable body simply has no parameters.
    }
    return new URLSearchParams();
  }
  return new URLSearchParams(text);
}
