export { objectStoreConfigFromEnv, type S3Env } from './config-from-env.ts';
export type { CredentialSnapshot, StorageLogger } from './credential-snapshot.ts';
export { ObjectNotFoundError } from './object-not-found-error.ts';
export { createObjectStore, type ObjectStore, type ObjectStoreConfig } from './object-store.ts';
export {
  createGetPresigner,
  type GetPresigner,
  MAX_PRESIGN_TTL_SECONDS,
  type SigningCredentials,
} from './presign-get.ts';
export { type BucketLocation, objectUrlPrefix } from './s3-endpoint.ts';
