import { STATUS_CODES } from 'node:http';
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
  return new InvalidHttpRequestError();
}

/**
 * The server's `clientError` handler: a request node's parser refuses (bad header bytes, conflicting
 * Content-Length, oversized headers, unknown method) never reaches express, so by default it gets a
 * bare `400` with no body. Answer it with the OpenAI envelope instead, then close the connection.
 */
export function answerClientError(error: Error, socket: Duplex): void {
  // As node's own handler: once a response has started on this connection (the body of the request
  // in flight broke mid-way, or a pipelined one did), writing another would corrupt it; only close.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const code = errorCodeOf(error);
  if (!socket.writable || inFlight?.headersSent === true || code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const httpError = errorForParser(code);
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
