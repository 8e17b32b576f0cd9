import { Readable } from 'node:stream';
import { type Agent, request } from 'undici';

/** The Node stream behind each Response `upstreamFetch` made, for `nodeBodyOf`. */
const nodeBodies = new WeakMap<Response, Readable>();

/** What `createUpstreamFetch` returns: `fetch`'s signature. */
export type UpstreamFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` for an SDK (OpenAI's takes one), made on undici's `request` through the adapter's
 * keep-alive pool. Reading a 1.3 MiB answer through fetch's web streams costs ~6 ms of CPU against
 * ~2.6 ms as a Node stream (measured against the emulator): `nodeBodyOf(response)` hands the
 * caller that Node stream. The Response's own `body` still works (the SDK reads error answers with
 * it); it pulls from the same stream, so a body is read one way or the other, never both.
 * Redirects are not followed: one would carry our API key wherever it points.
 */
export function createUpstreamFetch(dispatcher: Agent): UpstreamFetch {
  return async function upstreamFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    if (input instanceof Request) throw new TypeError('upstreamFetch takes a URL and RequestInit, not a Request');
    const sent = Object.fromEntries(new Headers(init.headers).entries());
    const body = requestBodyOf(init.body, sent);
    const answer = await request(input, {
      method: (init.method ?? 'GET') as 'GET',
      headers: sent,
      body,
      signal: init.signal ?? undefined,
      dispatcher,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one);
    }
    const stream = answer.body as unknown as Readable;
    const response = new Response(nullBodyStatus(answer.statusCode) ? null : lazyWebStream(stream), {
      status: answer.statusCode,
      headers,
    });
    nodeBodies.set(response, stream);
    return response;
  };
}

/**
 * What undici sends for an SDK's body: strings and bytes as they are; multipart (image edits)
 * encoded by Node's own encoder, which sets the boundary in `headers`, and streamed.
 */
function requestBodyOf(
  body: RequestInit['body'],
  headers: Record<string, string>,
): string | Uint8Array | Readable | undefined {
  if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) {
    return body ?? undefined;
  }
  const encoded = new Response(body);
  const contentType = encoded.headers.get('content-type');
  if (contentType !== null) headers['content-type'] = contentType;
  delete headers['content-length'];
  return encoded.body === null ? undefined : Readable.fromWeb(encoded.body);
}

/** The answer's body as the Node stream it arrived on, for a Response `upstreamFetch` made. */
export function nodeBodyOf(response: Response): Readable | undefined {
  return nodeBodies.get(response);
}

function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

/** A web stream that reads the Node stream only once someone pulls it (high-water mark 0: no read ahead). */
function lazyWebStream(stream: Readable): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= stream[Symbol.asyncIterator]();
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      },
      cancel(reason) {
        stream.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
