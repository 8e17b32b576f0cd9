import { type ClientRequest, type Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialSnapshot } from './credential-snapshot.ts';
import { destroyOnAbort } from './destroy-on-abort.ts';
import { ObjectNotFoundError } from './object-not-found-error.ts';
import { RangeNotSatisfiableError } from './range-not-satisfiable-error.ts';
import { encodeS3Key } from './s3-uri.ts';
import { createS3RequestSigner, UNSIGNED_PAYLOAD } from './sign-s3-request.ts';

/** An error answer of S3 (its status and its XML `Code`), or a request that did not reach it. */
export class S3RequestError extends Error {
  override readonly name = 'S3RequestError';
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, options: { status?: number; code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
  }
}

/** The object read (`get`): the response streams the body. */
export interface S3ObjectResponse {
  body: IncomingMessage;
  contentLength: number;
  contentType: string;
  contentRange: string | undefined;
}

/** Tries of a request whose body can be sent again, as the AWS SDK's standard retry strategy. */
const ATTEMPTS = 3;
/** How long connecting may take (the SDK's `connectionTimeout` the store used). */
const CONNECT_TIMEOUT_MS = 5_000;
/** Most of an error answer read to find its code. */
const LONGEST_ERROR_BODY = 16 * 1024;

/**
 * The two requests of the hot path, PUT and GET of one object, signed by our own SigV4 and sent
 * with node:http on the store's keep-alive agents. The AWS SDK still serves the rest (buckets,
 * listing, deletion, lifecycle); for these two its middleware stack (endpoint rules, retries,
 * serialisation, signing) cost more CPU than moving a 1 MiB image. Like the SDK, a request whose
 * body can be sent again is retried on a network error or a 5xx (a reused keep-alive socket that
 * the server closed, a 503 SlowDown).
 */
export function createS3ObjectRequests(options: {
  /** `objectUrlPrefix` of the bucket as this process reaches it. */
  urlPrefix: string;
  region: string;
  bucket: string;
  credentials: CredentialSnapshot;
  agents: { http: HttpAgent; https: HttpsAgent };
}) {
  const base = new URL(options.urlPrefix);
  const https = base.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  const agent = https ? options.agents.https : options.agents.http;
  const basePath = base.pathname.replace(/\/+$/, '');
  const sign = createS3RequestSigner(options.region);
  const { bucket, credentials } = options;

  /** One try: resolves with the response head (status any), or rejects when no answer came. */
  function attempt(
    method: 'PUT' | 'GET',
    key: string,
    headers: Record<string, string>,
    body: Uint8Array | Readable | undefined,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    const path = `${basePath}/${encodeS3Key(key)}`;
    const signed = sign(
      { method, path, host: base.host, headers, payloadHash: UNSIGNED_PAYLOAD },
      credentials.current(),
    );
    return new Promise((resolve, reject) => {
      const request: ClientRequest = send({
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method,
        path,
        headers: signed,
        agent,
        signal,
      });
      request.once('response', resolve);
      request.once('error', reject);
      request.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => request.destroy(new Error(`connecting to ${base.host} took over ${CONNECT_TIMEOUT_MS} ms`)),
          CONNECT_TIMEOUT_MS,
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      if (body instanceof Readable) {
        // A failed body ends the request with its error, which rejects above.
        pipeline(body, request).catch((error: unknown) => request.destroy(error as Error));
      } else {
        request.end(body);
      }
    });
  }

  /** Sends with retries (when `resendable`) and answers the first response that is not a 5xx. */
  async function exchange(
    method: 'PUT' | 'GET',
    key: string,
    headers: Record<string, string>,
    body: Uint8Array | Readable | undefined,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    await credentials.ready();
    const tries = body instanceof Readable ? 1 : ATTEMPTS;
    for (let tried = 1; ; tried++) {
      let response: IncomingMessage | undefined;
      let failure: unknown;
      try {
        response = await attempt(method, key, headers, body, signal);
      } catch (error) {
        failure = error;
      }
      if (response !== undefined && (response.statusCode ?? 0) < 500) return response;
      if (tried >= tries || signal?.aborted) {
        if (response !== undefined) throw await errorOf(response, method, key);
        throw new S3RequestError(`${method} s3://${bucket}/${key} failed: ${String(failure)}`, { cause: failure });
      }
      response?.resume();
      // Full jitter on an exponential base of 100 ms, as the SDK's standard strategy.
      await sleep(Math.random() * 100 * 2 ** tried);
    }
  }

  return {
    async put(key: string, body: Uint8Array | Readable, contentType: string, contentLength: number): Promise<void> {
      const headers = { 'content-length': String(contentLength), 'content-type': contentType };
      const response = await exchange('PUT', key, headers, body);
      if (response.statusCode !== 200) throw await errorOf(response, 'PUT', key);
      response.resume();
    },

    async get(key: string, options: { signal?: AbortSignal; range?: string } = {}): Promise<S3ObjectResponse> {
      const { signal, range } = options;
      const headers: Record<string, string> = range === undefined ? {} : { range };
      const response = await exchange('GET', key, headers, undefined, signal);
      const status = response.statusCode ?? 0;
      if (status === 404) {
        throw new ObjectNotFoundError(bucket, key, { cause: await errorOf(response, 'GET', key) });
      }
      if (status === 416)
        throw new RangeNotSatisfiableError(key, undefined, { cause: await errorOf(response, 'GET', key) });
      if (status !== 200 && status !== 206) throw await errorOf(response, 'GET', key);
      const length = Number(response.headers['content-length']);
      if (!Number.isSafeInteger(length)) {
        response.destroy();
        throw new S3RequestError(`GET s3://${bucket}/${key}: the answer had no Content-Length`, { status });
      }
      destroyOnAbort(response, signal);
      return {
        body: response,
        contentLength: length,
        contentType: response.headers['content-type'] ?? 'application/octet-stream',
        contentRange: response.headers['content-range'],
      };
    },
  };

  /** The error an answer stands for: its status and S3's `<Code>`, read from a short body. */
  async function errorOf(response: IncomingMessage, method: string, key: string): Promise<S3RequestError> {
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of response) {
        if (length < LONGEST_ERROR_BODY) chunks.push(chunk as Buffer);
        length += (chunk as Buffer).length;
      }
    } catch {
      // What was read is enough to name it.
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    const status = response.statusCode ?? 0;
    return new S3RequestError(
      `${method} s3://${bucket}/${key}: ${status} ${code ?? ''}${message === undefined ? '' : ` (${message})`}`.trim(),
      { status, ...(code === undefined ? {} : { code }) },
    );
  }
}

export type S3ObjectRequests = ReturnType<typeof createS3ObjectRequests>;
