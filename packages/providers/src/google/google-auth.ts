import { UpstreamError } from '@imagegate/core';
import { JWT } from 'google-auth-library';

/** A service-account key file as the Cloud console downloads it (only the fields used). */
export interface ServiceAccountKey {
  client_email: string;
  /** PEM. */
  private_key: string;
  /** Sent as the assertion's `kid`. */
  private_key_id?: string | undefined;
  /** The OAuth2 token endpoint (default Google's); our emulator names its own. */
  token_uri?: string | undefined;
}

/** Access tokens for Vertex AI, minted from a service-account key and reused until near expiry. */
export interface VertexAccessTokens {
  /** A bearer token; the token endpoint is called only when none is cached or it nears expiry. */
  get(signal: AbortSignal): Promise<string>;
  /** Forgets `token` (Vertex answered 401 to it), unless a newer one has replaced it already. */
  invalidate(token: string): void;
}

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** google-auth-library posts every JWT-bearer exchange here, whatever the key file says. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * Tokens through google-auth-library's `JWT`, which caches a token, refreshes it 5 minutes before
 * expiry, and shares one token exchange among concurrent callers (google-auth.test.ts checks all three).
 */
export function createVertexAccessTokens(key: ServiceAccountKey): VertexAccessTokens {
  let client = createJwt(key);

  const fetchToken = async (): Promise<string> => {
    const { token } = await client.getAccessToken().catch((error: unknown) => {
      throw tokenError(error);
    });
    if (typeof token !== 'string' || token === '') {
      throw new UpstreamError('Google issued no access token.', { code: 'upstream_auth' });
    }
    return token;
  };

  return {
    get(signal) {
      return untilAborted(fetchToken(), signal);
    },
    invalidate(token) {
      // A fresh client has an empty cache; relying on the library's private expiry markers would not.
      if (client.credentials.access_token === token) client = createJwt(key);
    },
  };
}

function createJwt(key: ServiceAccountKey): JWT {
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    ...(key.private_key_id === undefined ? {} : { keyId: key.private_key_id }),
    scopes: [CLOUD_PLATFORM_SCOPE],
  });
  const tokenUri = key.token_uri;
  if (tokenUri !== undefined && tokenUri !== GOOGLE_TOKEN_URL) {
    const target = new URL(tokenUri);
    client.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (config.url.href === GOOGLE_TOKEN_URL) config.url = target;
        return config;
      },
    });
  }
  return client;
}

/**
 * A failed token exchange as ours. The library's error carries the signed assertion in its request
 * config, so it is summarised rather than kept as the cause.
 */
function tokenError(error: unknown): UpstreamError {
  const response = (error as { response?: { status?: unknown; data?: unknown } } | null)?.response;
  const status = typeof response?.status === 'number' ? response.status : undefined;
  if (status === undefined) {
    const cause = new Error(error instanceof Error ? error.message : String(error));
    if (isHttpClientError(error)) {
      return new UpstreamError('Could not reach the Google token endpoint.', {
        code: 'upstream_unreachable',
        retryable: true,
        cause,
      });
    }
    // The library could not even sign the assertion: a broken key.
    return refused(cause);
  }
  const data = response?.data as { error?: unknown; error_description?: unknown } | undefined;
  const detail = [data?.error, data?.error_description].filter((part) => typeof part === 'string');
  const cause = new Error([`Token endpoint answered ${status}`, ...detail].join(': '));
  // OAuth's error code (`invalid_grant`…) is Google's, kept for the attempt log.
  const upstreamCode = typeof data?.error === 'string' ? data.error : undefined;
  if (status === 429 || status >= 500) {
    return new UpstreamError(`The Google token endpoint failed (${status}).`, {
      code: 'upstream_error',
      upstreamCode,
      retryable: true,
      cause,
    });
  }
  return refused(cause, upstreamCode);
}

function refused(cause: Error, upstreamCode?: string): UpstreamError {
  return new UpstreamError('Google refused our service-account credentials.', {
    code: 'upstream_auth',
    upstreamCode,
    cause,
  });
}

/** The library's HTTP client (gaxios) failed without an answer: the endpoint was not reached. */
function isHttpClientError(error: unknown): boolean {
  return typeof (error as { config?: unknown } | null)?.config === 'object';
}

/** `promise`, unless `signal` aborts first (a token exchange under way keeps going for other callers). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
