import { randomBytes } from 'node:crypto';
import { closeSync, type Dirent, openSync, readSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { destroyOnAbort } from './destroy-on-abort.ts';
import { decodeSegment, keyPath, keySegments } from './local-key-path.ts';
import { ObjectNotFoundError } from './object-not-found-error.ts';
import type { ByteRange, ObjectReadStream, ObjectStore } from './object-store.ts';
import { RangeNotSatisfiableError } from './range-not-satisfiable-error.ts';
import { createFileUrlSigner, type FileTokenCheck, SIGNED_FILE_PATH } from './signed-file-url.ts';

/** Where the local store keeps its files and how its URLs are made. */
export interface LocalObjectStoreConfig {
  /** The directory objects live under (created if missing), e.g. `.data/images`. */
  directory: string;
  /** The address clients reach the ingress at (`PUBLIC_BASE_URL`), e.g. `http://localhost:8080`. */
  publicBaseUrl: string;
  /** The HMAC key of the URLs (`IMAGE_URL_SECRET`, at least 32 characters). */
  urlSecret: string;
}

/** The local filesystem store: its URLs are the ingress's, which checks them with `checkToken`. */
export interface LocalObjectStore extends ObjectStore {
  readonly kind: 'local';
  /** Checks the token of a URL made by `presignGet` (the path segment after `/v1/images/files/`). */
  checkToken(token: string, now?: Date): FileTokenCheck;
}

export function isLocalObjectStore(store: ObjectStore): store is LocalObjectStore {
  return store.kind === 'local' && 'checkToken' in store;
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
};

/** The content type a key's extension implies, for an object whose type file was lost. */
function contentTypeOf(key: string): string {
  return CONTENT_TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream';
}
// A put whose directory a concurrent delete just pruned tries again this many times.
const PUT_ATTEMPTS = 3;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** The metadata file beside an object's file: its content type (a dot name no key maps to). */
function typePathOf(path: string): string {
  return join(dirname(path), `.type.${basename(path)}`);
}

function temporaryPath(directory: string): string {
  return join(directory, `.tmp.${randomBytes(8).toString('hex')}`);
}

/** Ignores a file or directory that is not there. */
function ignoreMissing(error: unknown): void {
  if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR') throw error;
}

/** The directory of a put vanished before its first file was made (a delete pruned it). */
class DirectoryVanished extends Error {}

/** Writes `body` to a new file at `path` (flushed to disk if `durable`), or removes what it wrote. */
async function writeFile(
  path: string,
  body: Uint8Array | NodeJS.ReadableStream,
  options: { length?: number | undefined; durable: boolean },
): Promise<void> {
  const { length } = options;
  const handle: FileHandle = await open(path, 'wx', 0o600).catch((error: unknown) => {
    throw errorCode(error) === 'ENOENT' ? new DirectoryVanished(path, { cause: error }) : error;
  });
  try {
    if (body instanceof Uint8Array) {
      await handle.writeFile(body);
    } else {
      let written = 0;
      for await (const chunk of body instanceof Readable ? body : new Readable().wrap(body)) {
        const bytes: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        await handle.writeFile(bytes); // writes all of it, at the current position
        written += bytes.byteLength;
      }
      if (length !== undefined && written !== length) {
        throw new Error(`putObject: contentLength ${length} != body length ${written}`);
      }
    }
    if (options.durable) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw error;
  }
  await handle.close();
}

function resolveRange(key: string, size: number, range: ByteRange): { start: number; end: number } {
  if ('suffixLength' in range) {
    if (range.suffixLength <= 0 || size === 0) throw new RangeNotSatisfiableError(key, size);
    return { start: Math.max(0, size - range.suffixLength), end: size - 1 };
  }
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (range.start >= size || end < range.start) throw new RangeNotSatisfiableError(key, size);
  return { start: range.start, end };
}

/** UTF-8 byte order, as S3 lists keys. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * An object store in a directory of this machine, for imagegate on one machine: each object is a
 * file at its key's path (segments percent-encoded; see local-key-path.ts), written to a temporary
 * file, flushed and renamed into place, so a reader sees the old object or the new one, never half
 * of one; its content type is kept in a small file beside it. Files are readable by the owner only.
 * Nothing here listens on a port: the ingress serves `presignGet`'s URLs itself, after
 * `checkToken`. A key may not also be a "directory" of other keys (`a` and `a/b`), which S3 allows
 * and imagegate never writes.
 */
export function createLocalObjectStore(config: LocalObjectStoreConfig): LocalObjectStore {
  const root = resolve(config.directory);
  const signer = createFileUrlSigner(config.urlSecret, config.publicBaseUrl);

  function notFound(key: string, cause?: unknown): ObjectNotFoundError {
    return new ObjectNotFoundError(root, key, { cause, location: `${root}/${key}` });
  }

  async function putOnce(path: string, body: Uint8Array | NodeJS.ReadableStream, contentType: string, length?: number) {
    const directory = dirname(path);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const data = temporaryPath(directory);
    const type = temporaryPath(directory);
    try {
      await writeFile(data, body, { length, durable: true });
      // Not flushed: after a power loss a missing or empty type falls back to the key's extension,
      // and the flush of the image alone halves the put rate on a slow disk already.
      await writeFile(type, Buffer.from(contentType), { durable: false });
      await rename(type, typePathOf(path));
      await rename(data, path);
    } finally {
      await Promise.all([unlink(data).catch(() => {}), unlink(type).catch(() => {})]);
    }
  }

  /** Removes the now empty directories between `directory` and the root, as S3 has none. */
  async function prune(directory: string): Promise<void> {
    for (let current = directory; current !== root && current.startsWith(`${root}/`); current = dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (ENOTEMPTY), gone already, or in use: stop there
      }
    }
  }

  async function walk(directory: string, keyPrefix: string, prefix: string, into: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const segment = decodeSegment(entry.name);
      if (segment === undefined) continue;
      const key = `${keyPrefix}${segment}`;
      if (entry.isDirectory()) {
        const below = `${key}/`;
        if (below.startsWith(prefix) || prefix.startsWith(below)) {
          await walk(join(directory, entry.name), below, prefix, into);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        into.push(key);
      }
    }
  }

  return {
    kind: 'local',
    bucket: root,

    async ensureBucket() {
      await mkdir(root, { recursive: true, mode: 0o700 });
    },

    async putObject(key, body, options) {
      const path = keyPath(root, key);
      if (
        body instanceof Uint8Array &&
        options.contentLength !== undefined &&
        options.contentLength !== body.byteLength
      ) {
        throw new Error(`putObject ${key}: contentLength ${options.contentLength} != body length ${body.byteLength}`);
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await putOnce(path, body, options.contentType, options.contentLength);
          return;
        } catch (error) {
          // A delete pruned the directory between our mkdir and our first file: make it again.
          // Nothing of the body was read yet. Once our file is in it, the directory is not empty
          // and no prune can remove it.
          if (!(error instanceof DirectoryVanished) || attempt >= PUT_ATTEMPTS) throw error;
        }
      }
    },

    async getObjectStream(key, options = {}): Promise<ObjectReadStream> {
      const { signal, range } = options;
      const path = keyPath(root, key);
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(errorCode(error) ?? '')) throw notFound(key, error);
        throw error;
      }
      let served: { start: number; end: number } | undefined;
      let size: number;
      let contentType: string;
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) throw notFound(key);
        size = stat.size;
        served = range === undefined ? undefined : resolveRange(key, size, range);
        contentType = (await readFile(typePathOf(path), 'utf8').catch(() => '')) || contentTypeOf(key);
      } catch (error) {
        await handle.close();
        throw error;
      }
      const stream = handle.createReadStream(served === undefined ? {} : { start: served.start, end: served.end });
      destroyOnAbort(stream, signal);
      return {
        stream,
        contentLength: served === undefined ? size : served.end - served.start + 1,
        contentType,
        size,
        ...(served === undefined ? {} : { range: served }),
      };
    },

    async openChunks(key, scratch) {
      const path = keyPath(root, key);
      // Found and a file now; opened when the first chunk is asked for, so a reader that never
      // starts holds no descriptor. A sweep that deleted it in between fails that first read.
      const found = await stat(path).catch((error: unknown) => {
        if (['ENOENT', 'ENOTDIR'].includes(errorCode(error) ?? '')) throw notFound(key, error);
        throw error;
      });
      if (!found.isFile()) throw notFound(key);
      return readInto(path, scratch);
    },

    presignGet(key, ttlSeconds, now) {
      keySegments(key); // refuses a key the store could not hold, as S3's signer refuses an empty one
      return signer.sign(key, ttlSeconds, now);
    },

    keyOfSignedUrl(url, now) {
      const prefix = `${config.publicBaseUrl.replace(/\/+$/, '')}${SIGNED_FILE_PATH}/`;
      if (!url.startsWith(prefix)) return undefined;
      const checked = signer.check(url.slice(prefix.length), now);
      return checked.ok ? checked.key : undefined;
    },

    checkToken(token, now) {
      return signer.check(token, now);
    },

    async applyRetention() {
      // Nothing expires files by itself here: the provider worker's retention sweep deletes them.
    },

    async deleteObjects(keys) {
      await Promise.all(
        keys.map(async (key) => {
          const path = keyPath(root, key);
          await Promise.all([unlink(path).catch(ignoreMissing), unlink(typePathOf(path)).catch(ignoreMissing)]);
          await prune(dirname(path));
        }),
      );
    },

    async listKeys(prefix) {
      const complete = prefix.split('/').slice(0, -1);
      const keys: string[] = [];
      const start = complete.length === 0 ? root : join(root, ...keySegments(complete.join('/')));
      await walk(start, complete.length === 0 ? '' : `${complete.join('/')}/`, prefix, keys);
      return keys.sort(byteOrder);
    },

    async deleteBucket() {
      await rm(root, { recursive: true, force: true });
    },

    close() {},
  };
}

/**
 * The file at `path` front to back, each chunk read into `scratch` and handed out as a view of it.
 * Read synchronously, on purpose: the reader is an answer streaming an image written moments
 * before, so every read is a copy out of the page cache (~15 µs per 64 KiB), cheaper than the
 * thread-pool round trip of an asynchronous read, which on a busy core (the provider worker's
 * thread writing images through the same pool) stalled the event loop for a millisecond or more
 * per chunk. The stream around each read (socket writes) still yields between chunks.
 */
function* readInto(path: string, scratch: Buffer): Generator<Buffer> {
  const descriptor = openSync(path, 'r');
  try {
    for (let position = 0; ; ) {
      const bytesRead = readSync(descriptor, scratch, 0, scratch.length, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield scratch.subarray(0, bytesRead);
    }
  } finally {
    closeSync(descriptor);
  }
}
