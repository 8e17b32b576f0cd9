import type { IncomingMessage } from 'node:http';
import type { AccessTokenStore } from '../oauth/access-tokens.ts';
import type { GoogleErrorReply } from './errors.ts';
import { errorInfo, googleError } from './errors.ts';

/** The scope Vertex requires (js-genai refuses others too). */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const VERTEX_SERVICE = 'aiplatform.googleapis.com';
const GEMINI_SERVICE = 'generativelanguage.googleapis.com';
const SEE_DOCS = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** A parsed Vertex model URL, needed for IAM-style messages. */
export interface VertexTarget {
  project: string;
  location: string;
  model: string;
  /** `predict` or `generateContent`. */
  method: string;
}

/**
 * Checks `Authorization: Bearer <token>` against tokens minted by the emulator's `/token`, then
 * the `cloud-platform` scope, then the project (the emulator's service account only has access to
 * its own project). Answers as Vertex does: 401 UNAUTHENTICATED or 403 PERMISSION_DENIED.
 */
export function checkVertexAuth(
  req: IncomingMessage,
  tokens: AccessTokenStore,
  projectId: string,
  target: VertexTarget,
): GoogleErrorReply | undefined {
  const method = `google.cloud.aiplatform.v1.PredictionService.${target.method === 'predict' ? 'Predict' : 'GenerateContent'}`;
  const header = req.headers.authorization;
  const token = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (token === undefined) {
    const message = `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE_DOCS}`;
    return googleError(401, 'UNAUTHENTICATED', message, [errorInfo('CREDENTIALS_MISSING', VERTEX_SERVICE, { method })]);
  }
  const check = tokens.check(token);
  if (check.kind !== 'valid') {
    const message = `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE_DOCS}`;
    const reason = check.kind === 'expired' ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_TYPE_UNSUPPORTED';
    return googleError(401, 'UNAUTHENTICATED', message, [errorInfo(reason, VERTEX_SERVICE, { method })]);
  }
  if (!check.scopes.includes(CLOUD_PLATFORM_SCOPE)) {
    return googleError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
      errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', VERTEX_SERVICE, { method }),
    ]);
  }
  if (target.project !== projectId) {
    const resource = `projects/${target.project}/locations/${target.location}/publishers/google/models/${target.model}`;
    // Both publisher-model methods are guarded by the same IAM permission.
    const permission = 'aiplatform.endpoints.predict';
    const message = `Permission '${permission}' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`;
    return googleError(403, 'PERMISSION_DENIED', message, [
      errorInfo('IAM_PERMISSION_DENIED', VERTEX_SERVICE, { permission, resource }),
    ]);
  }
  return undefined;
}

/**
 * Checks the Gemini API key from `x-goog-api-key` (what js-genai sends) or `?key=`. A missing key
 * is 403 PERMISSION_DENIED and a wrong one 400 INVALID_ARGUMENT, as the Gemini API answers.
 */
export function checkGeminiApiKey(
  req: IncomingMessage,
  query: URLSearchParams,
  apiKey: string,
): GoogleErrorReply | undefined {
  const header = req.headers['x-goog-api-key'];
  const presented = (Array.isArray(header) ? header[0] : header) ?? query.get('key') ?? undefined;
  if (presented === undefined || presented === '') {
    const message =
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
    return googleError(403, 'PERMISSION_DENIED', message);
  }
  if (presented !== apiKey) {
    return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      errorInfo('API_KEY_INVALID', GEMINI_SERVICE),
    ]);
  }
  return undefined;
}
