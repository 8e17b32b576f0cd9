import type { SigningCredentials } from './presign-get.ts';

/** Minimal pino-compatible logger. */
export interface StorageLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Credentials as the AWS SDK's providers return them. */
export interface ProvidedCredentials extends SigningCredentials {
  expiration?: Date;
}

/** Synchronous access to credentials that may be loaded and refreshed asynchronously. */
export interface CredentialSnapshot {
  /** The credentials to sign with now; throws if they have not been loaded yet. */
  current(): SigningCredentials;
  /** Resolves once credentials are loaded; rejects if loading failed. */
  ready(): Promise<void>;
}

// Refresh well before expiry so URLs signed near the end of a session are not born dead.
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Wraps fixed credentials. */
export function staticCredentials(credentials: SigningCredentials): CredentialSnapshot {
  return { current: () => credentials, ready: async () => {} };
}

/**
 * Loads credentials from an async provider (the SDK default chain: env, profile, SSO, IMDS…) so
 * the synchronous presigner can use them, re-fetching in the background as expiry approaches.
 * Loading starts immediately.
 */
export function refreshingCredentials(
  provider: () => Promise<ProvidedCredentials>,
  logger?: StorageLogger,
  clock: () => number = Date.now,
): CredentialSnapshot {
  let value: ProvidedCredentials | undefined;
  let inFlight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    inFlight ??= provider()
      .then((credentials) => {
        value = credentials;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  const first = refresh();
  // Surface failures via ready()/current(); an unobserved rejection would crash the process.
  first.catch((err: unknown) => logger?.warn({ err }, 'loading S3 credentials failed'));

  return {
    current() {
      if (value === undefined) {
        throw new Error('S3 credentials are not loaded yet: await store.ensureBucket() before presigning');
      }
      const expiresAt = value.expiration?.getTime();
      if (expiresAt !== undefined && expiresAt - clock() < REFRESH_MARGIN_MS && inFlight === undefined) {
        refresh().catch((err: unknown) => logger?.warn({ err }, 'refreshing S3 credentials failed'));
      }
      return value;
    },
    async ready() {
      if (value === undefined) {
        await (inFlight ?? refresh());
      }
    },
  };
}
