import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  errorCodeOf,
  type GatewayError,
  InvalidHttpRequestError,
  newId,
  PayloadTooLargeError,
  RequestHeaderFieldsTooLargeError,
  RequestTimeoutError,
} from '@imagegate/core';

/** What node's HTTP parser could not accept, as the status and envelope a client should see. */
function errorForParser(code: string | undefined): GatewayError {
  if (code === 'HPE_HEADER_OVERFLOW') return new RequestHeaderFieldsTooLargeError();
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return new PayloadTooLargeError('The chunk extensions are too large.');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new RequestTimeoutError();
  // The client stopped sending mid-request (a body shorter than its Content-Length): as if it never came.
  if (code === 'HPE_INVALID_EOF_STATE') {
    return new RequestTimeoutError('The request ended before all of it (its Content-Length) arrived.');
  }
  return new InvalidHttpRequestError();
}

/** Sockets whose parse error is answered (or waits to be): node reports it again for every later chunk. */
const answering = new WeakSet<Duplex>();

/** The response node is writing on `socket` now (node's own bookkeeping, not public API). */
function responseInFlight(socket: Duplex): ServerResponse | undefined {
  const { _httpMessage: response } = socket as Duplex & { _httpMessage?: ServerResponse | null };
  return response ?? undefined;
}

/**
 * The server's `clientError` handler: a request node's parser refuses (bad header bytes, conflicting
 * Content-Length, oversized headers, unknown method) never reaches express, so by default it gets a
 * bare `400` with no body. Answer it with the OpenAI envelope instead, then close the connection.
 * Complete requests pipelined before the bad bytes are answered first, in order.
 */
export function answerClientError(error: Error, socket: Duplex): void {
  const code = errorCodeOf(error);
  if (!socket.writable || code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  if (answering.has(socket)) return;
  answering.add(socket);
  answerAfterCompleteRequests(socket, errorForParser(code));
}

function answerAfterCompleteRequests(socket: Duplex, httpError: GatewayError): void {
  const inFlight = responseInFlight(socket);
  if (inFlight?.req.complete && !inFlight.writableFinished) {
    // Node hands the socket to the next pipelined response when this one finishes.
    inFlight.once('finish', () => answerAfterCompleteRequests(socket, httpError));
    inFlight.once('close', () => {
      if (!inFlight.writableFinished) socket.destroy();
    });
    return;
  }
  // As node's own handler: once a response has started on this connection (the body of the request
  // in flight broke mid-way), writing another would corrupt it; only close.
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: httpError.toErrorObject() });
  socket.end(
    `HTTP/1.1 ${httpError.status} ${STATUS_CODES[httpError.status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${newId('req')}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
