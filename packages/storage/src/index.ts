export {
  DEFAULT_BUCKET,
  type ObjectStoreEnv,
  objectStoreConfigFromEnv,
  objectStoreFromEnv,
  objectStoreKind,
  publicBaseUrl,
  type S3Env,
} from './config-from-env.ts';
export type { CredentialSnapshot, StorageLogger } from './credential-snapshot.ts';
export {
  createLocalObjectStore,
  isLocalObjectStore,
  type LocalObjectStore,
  type LocalObjectStoreConfig,
} from './local-object-store.ts';
export { ObjectNotFoundError } from './object-not-found-error.ts';
export {
  type ByteRange,
  createObjectStore,
  type ObjectReadStream,
  type ObjectStore,
  type ObjectStoreConfig,
} from './object-store.ts';
export {
  createGetPresigner,
  type GetPresigner,
  MAX_PRESIGN_TTL_SECONDS,
  type SigningCredentials,
} from './presign-get.ts';
export { RangeNotSatisfiableError } from './range-not-satisfiable-error.ts';
export { type BucketLocation, objectUrlPrefix } from './s3-endpoint.ts';
export { type FileTokenCheck, SIGNED_FILE_PATH } from './signed-file-url.ts';
