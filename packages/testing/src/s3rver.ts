import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import S3rver from 's3rver';
import { checkPresignedGet } from './presigned-get-check.ts';

/** Options for `startS3rver`. */
export interface S3rverOptions {
  /** Bucket and object files live here; created if missing. */
  dataDir: string;
  /** Port on 127.0.0.1. Default: any free port (chosen by the OS, no race). */
  port?: number;
  /** Suppress s3rver's per-request console log. Default true. */
  silent?: boolean;
}

/** A running s3rver and the settings an S3 client needs for it. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>`; use path-style addressing. */
  endpoint: string;
  region: 'us-east-1';
  /** s3rver's built-in account; it rejects any other access key id. */
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  /** Stops listening and drops open connections. Idempotent. */
  stop(): Promise<void>;
}

// Connections still streaming after this long are cut so stop() cannot hang on a slow client.
const CLOSE_GRACE_MS = 2_000;

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Starts s3rver, a filesystem-backed fake S3, on 127.0.0.1: the S3 of the tests (the single-machine
 * start uses the local filesystem store instead). Virtual-host bucket detection is off so
 * path-style requests work through any host name (e.g. a publicEndpoint behind a proxy).
 * s3rver 3.7 accepts SigV4 requests without checking the signature (only the access key id and,
 * for presigned URLs, the expiry); presigned GETs are checked here first, as S3 checks them, so a
 * changed URL is refused with S3's 403 `SignatureDoesNotMatch`.
 */
export async function startS3rver(options: S3rverOptions): Promise<S3rverHandle> {
  const directory = resolve(options.dataDir);
  await mkdir(directory, { recursive: true });
  const app = new S3rver({ directory, silent: options.silent ?? true, vhostBuckets: false });
  // Our own server (instead of app.run()) gives a typed handle and lets stop() cut connections.
  const callback = app.callback();
  const server = createServer((request, response) => {
    const verdict = checkPresignedGet(
      { method: request.method, url: request.url, host: request.headers.host },
      CREDENTIALS,
      'us-east-1',
    );
    if (verdict === 'signature-mismatch') {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>' +
          '<Message>The request signature we calculated does not match the signature you provided.</Message></Error>',
      );
      return;
    }
    callback(request, response);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((done, fail) => {
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      server.close((err) => {
        clearTimeout(force);
        if (err) fail(err);
        else done();
      });
      server.closeIdleConnections();
    });
    return stopping;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop,
  };
}
