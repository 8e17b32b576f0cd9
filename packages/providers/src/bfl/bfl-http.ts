import { UpstreamError } from '@imagegate/core';
import { fetch, type RequestInit, type Response } from 'undici';
import { createUpstreamAgent } from '../upstream-agent.ts';

/** An answer with its body read: parsed JSON where it was JSON, else the text. */
export interface BflJsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A downloaded file. */
export interface BflBytesAnswer {
  status: number;
  /** The `content-type` without parameters, lower case; empty when absent. */
  mediaType: string;
  bytes: Uint8Array;
}

/** The three kinds of call the adapter makes, over one keep-alive pool. */
export interface BflHttp {
  /** `POST` JSON with `x-key`. */
  postJson(url: string, body: unknown, signal: AbortSignal): Promise<BflJsonAnswer>;
  /** `GET` with `x-key` (polling). */
  getJson(url: string, signal: AbortSignal): Promise<BflJsonAnswer>;
  /** `GET` without credentials: delivery URLs are signed, and their host must never see our key. */
  getBytes(url: string, signal: AbortSignal): Promise<BflBytesAnswer>;
}

/**
 * Connection failures become a retryable `upstream_unreachable`; an aborted signal's error is
 * rethrown untouched so the caller can tell its own abort and the deadline apart.
 */
export function createBflHttp(apiKey: string, connections: number, timeoutMs?: number): BflHttp {
  const dispatcher = createUpstreamAgent({ connections, timeoutMs });
  const keyHeaders = { 'x-key': apiKey, accept: 'application/json' };

  async function call<T>(url: string, init: RequestInit, signal: AbortSignal, read: (r: Response) => Promise<T>) {
    try {
      const response = await fetch(url, { ...init, signal, dispatcher });
      return await read(response);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new UpstreamError('Could not reach the upstream.', {
        code: 'upstream_unreachable',
        retryable: true,
        cause: error,
      });
    }
  }

  return {
    postJson: (url, body, signal) =>
      call(
        url,
        {
          method: 'POST',
          headers: { ...keyHeaders, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          // A redirect would carry `x-key` to wherever it points.
          redirect: 'error',
        },
        signal,
        readJson,
      ),
    getJson: (url, signal) => call(url, { method: 'GET', headers: keyHeaders, redirect: 'error' }, signal, readJson),
    getBytes: (url, signal) => call(url, { method: 'GET' }, signal, readBytes),
  };
}

async function readJson(response: Response): Promise<BflJsonAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Proxies and load balancers answer HTML or plain text; keep it for the error's cause.
  }
  return { status: response.status, headers: response.headers, body };
}

async function readBytes(response: Response): Promise<BflBytesAnswer> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const contentType = response.headers.get('content-type') ?? '';
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return { status: response.status, mediaType, bytes };
}
