import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { inflateSync } from 'node:zlib';
import { GatewayError } from '@imagegate/core';
// `@imagegate/emulators` is not (yet) a dependency of this package; import its source directly.
import { type BflEmulatorOptions, type RunningBflEmulator, startBflEmulator } from '@imagegate/emulators';
import type { ProviderImageRequest } from '../spec.ts';

/** A key shaped like BFL's, distinctive enough to find anywhere it leaks. */
export const TEST_KEY = 'bfl_test-secret-7f3a9c51';

export function startTestEmulator(options: BflEmulatorOptions = {}): Promise<RunningBflEmulator> {
  return startBflEmulator({ apiKey: TEST_KEY, renderMs: 30, ...options });
}

/** A FLUX.2 [pro] request as the worker hands it over; `overrides` replace fields. */
export function bflRequest(overrides: Partial<ProviderImageRequest> = {}): ProviderImageRequest {
  return {
    providerModel: 'flux-2-pro',
    protocol: 'bfl-flux',
    prompt: 'isometric cutaway of a tiny bakery',
    n: 1,
    size: '1344x768',
    quality: 'auto',
    background: 'opaque',
    outputFormat: 'png',
    ...overrides,
  };
}

/** The GatewayError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<GatewayError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof GatewayError)) throw outcome.error;
  return outcome.error;
}

/** Everything about an error a log line or a client could show: message, JSON, cause chain. */
export function everythingShownOf(error: Error): string {
  return `${error.message}\n${JSON.stringify(error)}\n${inspect(error, { depth: null })}`;
}

/** Decompresses a PNG's image data and checks it holds every row: proof the file is whole, not just its header. */
export function pngPixelBytes(bytes: Uint8Array): { width: number; height: number; pixelBytes: number } {
  const buffer = Buffer.from(bytes);
  const width = buffer.readUInt32BE(16);
  const height = buffer.readUInt32BE(20);
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[buffer[25] ?? -1] ?? 0;
  const data: Buffer[] = [];
  for (let offset = 8; offset + 8 <= buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    if (buffer.toString('latin1', offset + 4, offset + 8) === 'IDAT') {
      data.push(buffer.subarray(offset + 8, offset + 8 + length));
    }
    offset += 12 + length;
  }
  const pixelBytes = inflateSync(Buffer.concat(data)).length;
  if (pixelBytes !== height * (1 + width * channels)) throw new Error(`PNG data holds ${pixelBytes} bytes`);
  return { width, height, pixelBytes };
}

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  method: string;
  path: string;
  xKey: string | undefined;
}

/** An HTTP proxy in front of an emulator that records every request and can rewrite answers. */
export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  /** Changes a JSON answer further (after the origin rewrite). */
  rewrite?: (path: string, body: string) => string;
  /** Requests to record but never answer, e.g. a delivery that stalls. */
  hold?: (path: string) => boolean;
}

/**
 * Forwards everything to `target`, rewriting the target's origin in answers to its own so that
 * polling and delivery URLs come back through it.
 */
export async function startRecordingProxy(
  target: string,
  { rewrite = (_path, body) => body, hold = () => false }: RecordingProxyOptions = {},
): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  let origin = '';
  const server = createServer((request, response) => {
    void (async () => {
      const path = request.url ?? '/';
      const header = request.headers['x-key'];
      requests.push({ method: request.method ?? 'GET', path, xKey: Array.isArray(header) ? header[0] : header });
      if (hold(path)) return;
      const body = await readBody(request);
      const upstream = await fetch(`${target}${path}`, {
        method: request.method ?? 'GET',
        headers: forwardedHeaders(request),
        ...(body.length > 0 ? { body } : {}),
      });
      const contentType = upstream.headers.get('content-type') ?? '';
      const headers: Record<string, string> = { 'content-type': contentType };
      const retryAfter = upstream.headers.get('retry-after');
      if (retryAfter !== null) headers['retry-after'] = retryAfter;
      response.writeHead(upstream.status, headers);
      if (contentType.includes('json')) {
        response.end(rewrite(path, (await upstream.text()).replaceAll(target, origin)));
      } else {
        response.end(Buffer.from(await upstream.arrayBuffer()));
      }
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An origin nothing listens on: a port we bound and released. */
export async function closedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function forwardedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['x-key', 'content-type', 'accept']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
