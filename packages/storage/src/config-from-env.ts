import type { StorageLogger } from './credential-snapshot.ts';
import { createLocalObjectStore } from './local-object-store.ts';
import { createObjectStore, type ObjectStore, type ObjectStoreConfig } from './object-store.ts';

/** The S3 variables every service reads (`s3EnvSchema` in core). */
export interface S3Env {
  S3_ENDPOINT?: string | undefined;
  S3_PUBLIC_ENDPOINT?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
}

/** The variables that choose and configure the object store (`objectStoreEnvSchema` in core). */
export interface ObjectStoreEnv extends S3Env {
  IMAGE_STORE?: 's3' | 'local' | undefined;
  IMAGE_STORE_DIR: string;
  IMAGE_URL_SECRET?: string | undefined;
  PUBLIC_BASE_URL?: string | undefined;
  /** The ingress's port, for the default PUBLIC_BASE_URL (services without one assume 8080). */
  PORT?: number | undefined;
}

/** The bucket when S3_BUCKET is unset. */
export const DEFAULT_BUCKET = 'imagegate';

export function objectStoreConfigFromEnv(env: S3Env): ObjectStoreConfig {
  return {
    endpoint: env.S3_ENDPOINT,
    publicEndpoint: env.S3_PUBLIC_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET ?? DEFAULT_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  };
}

/** Which store the environment asks for: IMAGE_STORE, else S3 when a bucket or endpoint is named. */
export function objectStoreKind(env: ObjectStoreEnv): 's3' | 'local' {
  return env.IMAGE_STORE ?? (env.S3_BUCKET !== undefined || env.S3_ENDPOINT !== undefined ? 's3' : 'local');
}

/** Where clients reach the ingress: PUBLIC_BASE_URL, else `http://localhost:<PORT or 8080>`. */
export function publicBaseUrl(env: Pick<ObjectStoreEnv, 'PUBLIC_BASE_URL' | 'PORT'>): string {
  return env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT || 8080}`;
}

/**
 * The object store the environment names (see docs/operations.md, "Images"): S3, or the local
 * directory IMAGE_STORE_DIR whose files the ingress serves at URLs signed with IMAGE_URL_SECRET.
 */
export function objectStoreFromEnv(env: ObjectStoreEnv, deps: { logger?: StorageLogger } = {}): ObjectStore {
  if (objectStoreKind(env) === 's3') return createObjectStore(objectStoreConfigFromEnv(env), deps);
  if (env.IMAGE_URL_SECRET === undefined) {
    throw new Error(
      'IMAGE_URL_SECRET is required for the local image store (IMAGE_STORE=local, the default without ' +
        'S3_BUCKET or S3_ENDPOINT): the same random value of at least 32 characters in every service',
    );
  }
  return createLocalObjectStore({
    directory: env.IMAGE_STORE_DIR,
    publicBaseUrl: publicBaseUrl(env),
    urlSecret: env.IMAGE_URL_SECRET,
  });
}
