import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  type LifecycleRule,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  type CredentialSnapshot,
  refreshingCredentials,
  type StorageLogger,
  staticCredentials,
} from './credential-snapshot.ts';
import { createGetPresigner } from './presign-get.ts';
import { objectUrlPrefix } from './s3-endpoint.ts';
import { createS3ObjectRequests } from './s3-object-requests.ts';

/** Where and how to reach the bucket. */
export interface ObjectStoreConfig {
  /** Base URL of an S3-compatible service (s3rver, MinIO, R2…). Unset = AWS S3. */
  endpoint?: string;
  /** Base URL put in presigned URLs when clients reach S3 at another address. Default: `endpoint`. */
  publicEndpoint?: string;
  /** Signing region, e.g. `us-east-1`. */
  region: string;
  bucket: string;
  /** Unset (with `secretAccessKey`) = the AWS SDK default credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Bucket in the path instead of the host name. Default: true when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Concurrent sockets per protocol kept by the keep-alive agent. Default 128. */
  maxSockets?: number;
}

/**
 * Bytes `start` … `end` (inclusive, as in HTTP; `end` unset = to the end), or the last
 * `suffixLength` bytes.
 */
export type ByteRange = { start: number; end?: number } | { suffixLength: number };

/** An object opened for reading. */
export interface ObjectReadStream {
  stream: Readable;
  /** Bytes in `stream` (the range's length when a range was asked for). */
  contentLength: number;
  contentType: string;
  /** The whole object's size in bytes. */
  size: number;
  /** The bytes `stream` holds, inclusive, when a range was asked for. */
  range?: { start: number; end: number };
}

/** The object operations imagegate needs. */
export interface ObjectStore {
  /** `s3`: any S3-compatible service; `local`: files on this machine, served by the ingress. */
  readonly kind: 's3' | 'local';
  /** The bucket (S3) or the directory (local). */
  readonly bucket: string;
  /** Creates the bucket (directory) if it is missing; safe to call repeatedly and concurrently. */
  ensureBucket(): Promise<void>;
  /**
   * Uploads an object. A stream without `contentLength` is buffered in memory first, because
   * S3 needs the length up front; pass it for large bodies.
   */
  putObject(
    key: string,
    body: Uint8Array | NodeJS.ReadableStream,
    options: { contentType: string; contentLength?: number },
  ): Promise<void>;
  /**
   * Opens an object (or a range of it) for reading. Aborting `signal` destroys the stream. Throws
   * `ObjectNotFoundError` when the key (or bucket) does not exist, `RangeNotSatisfiableError`
   * when the range starts past its end. A range's end past the object's end is cut to it.
   */
  getObjectStream(key: string, options?: { signal?: AbortSignal; range?: ByteRange }): Promise<ObjectReadStream>;
  /**
   * Opens a whole object to be read once, front to back, in chunks that may be views of `scratch`:
   * each is valid only until the next is asked for. The local store reads its file into `scratch`,
   * so reading allocates nothing per chunk (the ingress's `b64_json` answers: 8 MiB images read in
   * fresh 64 KiB buffers were enough external memory to bring full garbage collections); S3 hands
   * out its response's own chunks. Throws `ObjectNotFoundError` as `getObjectStream` does, before
   * the first chunk; stopping early (a `break`) releases what was opened.
   */
  openChunks(key: string, scratch: Buffer): Promise<Iterable<Uint8Array> | AsyncIterable<Uint8Array>>;
  /**
   * Synchronously returns a signed GET URL valid for `ttlSeconds` (1 … 604800) from `now`
   * (default: current time). With the default credential chain, credentials load asynchronously
   * at creation: it throws until they are loaded (`ensureBucket()` waits for them).
   */
  presignGet(key: string, ttlSeconds: number, now?: Date): string;
  /**
   * The key a URL this store signed grants, when it is one of ours, unchanged and unexpired at
   * `now`; else undefined. Lets a request hand back an image URL we gave out (a chat turn sending an
   * earlier answer's image) without the gateway fetching its own store through the SSRF guard.
   */
  keyOfSignedUrl(url: string, now?: Date): string | undefined;
  /**
   * Has the store itself expire objects under `jobs/` `days` after they were written, as a
   * backstop behind the retention sweep: on S3 a bucket lifecycle rule (`imagegate-retention`,
   * other rules kept); the local store has none (the sweep alone). Run by the setup step.
   */
  applyRetention(days: number): Promise<void>;
  /** Deletes the given keys (up to 1000); keys that do not exist are not an error. */
  deleteObjects(keys: readonly string[]): Promise<void>;
  /** The keys under `prefix` (every page), in byte order. */
  listKeys(prefix: string): Promise<string[]>;
  /** Deletes every object and then the bucket; a missing bucket is not an error. */
  deleteBucket(): Promise<void>;
  /** Closes pooled connections. */
  close(): void;
}

const DEFAULT_MAX_SOCKETS = 128;
const RETENTION_RULE_ID = 'imagegate-retention';

function rangeHeader(range: ByteRange): string {
  return 'suffixLength' in range ? `bytes=-${range.suffixLength}` : `bytes=${range.start}-${range.end ?? ''}`;
}

/** `bytes 0-9/100` → its parts. */
function parseContentRange(value: string | undefined): { start: number; end: number; size: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  if (match === null) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}

function isStatus(err: unknown, status: number, ...names: string[]): boolean {
  return err instanceof S3ServiceException && (err.$metadata.httpStatusCode === status || names.includes(err.name));
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Creates an S3-backed object store (several machines; `createObjectStoreFromEnv` chooses). Object
 * PUTs and GETs, the hot path, are signed and sent by our own code (`s3-object-requests.ts`); the
 * AWS SDK does the rest. Its checksums are computed/validated only when an operation requires
 * them, since s3rver and several S3 clones reject the SDK's default trailing checksums.
 */
export function createObjectStore(config: ObjectStoreConfig, deps: { logger?: StorageLogger } = {}): ObjectStore {
  const { bucket, region, endpoint } = config;
  const forcePathStyle = config.forcePathStyle ?? endpoint !== undefined;
  const maxSockets = config.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const explicit =
    config.accessKeyId !== undefined && config.secretAccessKey !== undefined
      ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
      : undefined;

  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets }),
  };
  const client = new S3Client({
    region,
    endpoint,
    forcePathStyle,
    credentials: explicit,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: agents.http, httpsAgent: agents.https, connectionTimeout: 5_000 },
  });

  const credentials: CredentialSnapshot =
    explicit === undefined
      ? refreshingCredentials(() => client.config.credentials(), deps.logger)
      : staticCredentials(explicit);
  const presigner = createGetPresigner(
    objectUrlPrefix({ endpoint: config.publicEndpoint ?? endpoint, region, bucket, forcePathStyle }),
    region,
  );
  const objects = createS3ObjectRequests({
    urlPrefix: objectUrlPrefix({ endpoint, region, bucket, forcePathStyle }),
    region,
    bucket,
    credentials,
    agents,
  });

  async function createBucket(): Promise<void> {
    try {
      // Outside us-east-1 AWS insists on a matching LocationConstraint; S3 clones mostly ignore it.
      // The SDK types the constraint as a closed list of regions; newer regions are still valid.
      const locationConstraint =
        endpoint === undefined && region !== 'us-east-1' ? (region as BucketLocationConstraint) : undefined;
      await client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration:
            locationConstraint === undefined ? undefined : { LocationConstraint: locationConstraint },
        }),
      );
    } catch (err) {
      // Lost a creation race against ourselves (another process or a concurrent call).
      if (err instanceof S3ServiceException && err.name === 'BucketAlreadyOwnedByYou') return;
      if (err instanceof S3ServiceException && err.name === 'BucketAlreadyExists') {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return;
      }
      throw err;
    }
  }

  return {
    kind: 's3',
    bucket,

    async ensureBucket() {
      await credentials.ready();
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return;
      } catch (err) {
        if (isStatus(err, 403)) {
          throw new Error(`bucket ${bucket} exists but these credentials may not use it (403)`, { cause: err });
        }
        if (!isStatus(err, 404, 'NotFound', 'NoSuchBucket')) throw err;
      }
      await createBucket();
    },

    async putObject(key, body, options) {
      let payload: Uint8Array | Readable;
      let length = options.contentLength;
      if (body instanceof Uint8Array) {
        if (length !== undefined && length !== body.byteLength) {
          throw new Error(`putObject ${key}: contentLength ${length} != body length ${body.byteLength}`);
        }
        payload = body;
        length = body.byteLength;
      } else if (length === undefined) {
        payload = await readAll(body);
        length = payload.byteLength;
      } else {
        payload = body instanceof Readable ? body : new Readable().wrap(body);
      }
      await objects.put(key, payload, options.contentType, length);
    },

    async getObjectStream(key, options = {}) {
      const { signal, range } = options;
      const got = await objects.get(key, { signal, range: range === undefined ? undefined : rangeHeader(range) });
      const served = parseContentRange(got.contentRange);
      return {
        stream: got.body,
        contentLength: got.contentLength,
        contentType: got.contentType,
        size: served?.size ?? got.contentLength,
        ...(range === undefined || served === undefined ? {} : { range: { start: served.start, end: served.end } }),
      };
    },

    async openChunks(key) {
      return (await objects.get(key, {})).body;
    },

    presignGet(key, ttlSeconds, now) {
      return presigner.presign(key, credentials.current(), ttlSeconds, now);
    },

    keyOfSignedUrl(url, now) {
      return presigner.keyOf(url, credentials.current(), now);
    },

    async applyRetention(days) {
      let rules: LifecycleRule[] = [];
      try {
        rules = (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
      } catch (err) {
        if (!isStatus(err, 404, 'NoSuchLifecycleConfiguration')) throw err;
      }
      const ours: LifecycleRule = {
        ID: RETENTION_RULE_ID,
        Status: 'Enabled',
        Filter: { Prefix: 'jobs/' },
        Expiration: { Days: days },
      };
      await client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: { Rules: [...rules.filter((rule) => rule.ID !== RETENTION_RULE_ID), ours] },
        }),
      );
    },

    async deleteObjects(keys) {
      if (keys.length === 0) return;
      await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
    },

    async listKeys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    },

    async deleteBucket() {
      let token: string | undefined;
      try {
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
          const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
          if (keys.length > 0) {
            await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
          }
          token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } catch (err) {
        if (isStatus(err, 404, 'NoSuchBucket')) return;
        throw err;
      }
    },

    close() {
      client.destroy();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
