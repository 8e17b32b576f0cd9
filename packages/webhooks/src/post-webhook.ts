import type { LookupAddress } from 'node:dns';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { errorCodeOf, GatewayError } from '@imagegate/core';
import { forbiddenAddressKind } from './forbidden-addresses.ts';
import {
  parseWebhookUrl,
  refuseAddress,
  resolveWebhookAddresses,
  type WebhookTarget,
  type WebhookUrlPolicy,
} from './webhook-url-policy.ts';

/** What one delivery attempt found, as recorded on the delivery. */
export interface WebhookAttemptOutcome {
  /** Whether the receiver answered 2xx in time. */
  delivered: boolean;
  /** HTTP status of the answer, or null when none came (refused, unreachable, timed out). */
  statusCode: number | null;
  durationMs: number;
  /**
   * The first characters of the answer's body, for whoever debugs the receiver. Null for an answer
   * from a private, loopback or link-local address (an allow-listed host): the tenant who chose
   * the URL reads this log, and what answers there is the operator's network, not theirs.
   */
  responseExcerpt: string | null;
  /** Why the attempt failed; null when it was delivered. */
  error: string | null;
}

export interface PostWebhookOptions {
  policy: WebhookUrlPolicy;
  /** Longest the whole attempt may take, from DNS to status line (ms). */
  timeoutMs: number;
  /** Most bytes of the answer read; the rest is never downloaded (default 1024). */
  maxResponseBytes?: number;
  /** Aborts the attempt (the worker is shutting down). */
  signal?: AbortSignal | undefined;
}

/** Characters of the answer kept on the attempt. */
const EXCERPT_CHARS = 256;

/**
 * POSTs one signed webhook, guarded against SSRF at the moment of connecting: the host is resolved
 * by the guard's own lookup and only addresses it approved are connected to (so DNS that changed
 * since submission, or answers differently now, cannot steer the request inward); the socket's
 * peer address is checked once more on connect. Redirects are not followed; at most
 * `maxResponseBytes` of the answer are read. Never throws: every failure is an outcome.
 */
export async function postWebhook(
  url: string,
  message: { body: string; headers: Record<string, string> },
  options: PostWebhookOptions,
): Promise<WebhookAttemptOutcome> {
  const started = performance.now();
  const elapsedMs = () => Math.round(performance.now() - started);
  let target: WebhookTarget;
  try {
    target = parseWebhookUrl(url, options.policy);
    const literalRefusal = isIP(target.host) === 0 ? undefined : refuseAddress(target, target.host);
    if (literalRefusal) throw literalRefusal;
  } catch (error) {
    return failed(null, elapsedMs(), describeError(error, options.timeoutMs));
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: WebhookAttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request: ClientRequest = (target.url.protocol === 'https:' ? httpsRequest : httpRequest)(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(message.body)),
        'user-agent': 'imagegate-webhooks/1',
        ...message.headers,
      },
      // A fresh connection per attempt: a pooled socket would skip the lookup below.
      agent: false,
      lookup: target.allowListed ? undefined : guardedLookup(target, options.policy),
      signal: options.signal,
    });
    const timer = setTimeout(() => request.destroy(new AttemptTimeoutError()), options.timeoutMs);
    request.on('socket', (socket) => {
      socket.once('connect', () => {
        const refusal = refuseAddress(target, socket.remoteAddress ?? '');
        if (refusal) request.destroy(refusal);
      });
    });
    request.on('response', (response) => {
      const statusCode = response.statusCode ?? 0;
      if (!mayKeepAnswerOf(response.socket.remoteAddress)) {
        // Status and timing only: nothing of what a private address answers is read.
        request.destroy();
        settle(answered(statusCode, '', elapsedMs()));
        return;
      }
      readAnswerExcerpt(response, options.maxResponseBytes ?? 1024).then((excerpt) => {
        // Whatever the receiver still sends is never downloaded.
        request.destroy();
        settle(answered(statusCode, excerpt, elapsedMs()));
      });
    });
    request.on('error', (error) => settle(failed(null, elapsedMs(), describeError(error, options.timeoutMs))));
    request.end(message.body);
  });
}

/** Only a public peer's answer may be kept (an unknown peer counts as private). */
function mayKeepAnswerOf(peerAddress: string | undefined): boolean {
  return peerAddress !== undefined && forbiddenAddressKind(peerAddress) === undefined;
}

/**
 * The start of an answer's body, read up to `maxBytes`, as kept on the attempt. The status line
 * decides; a body cut short (by the size limit, the deadline or the receiver) changes nothing.
 */
export function readAnswerExcerpt(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => resolve(Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8').slice(0, EXCERPT_CHARS));
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) finish();
    });
    response.on('end', finish);
    response.on('error', finish);
    response.on('close', finish);
  });
}

/** Any 2xx is delivered; a 3xx is a failure like any other, since redirects are not followed. */
function answered(statusCode: number, excerpt: string, durationMs: number): WebhookAttemptOutcome {
  const delivered = statusCode >= 200 && statusCode < 300;
  const redirect = statusCode >= 300 && statusCode < 400;
  return {
    delivered,
    statusCode,
    durationMs,
    responseExcerpt: excerpt === '' ? null : excerpt,
    error: delivered ? null : redirect ? `HTTP ${statusCode}: redirects are not followed` : `HTTP ${statusCode}`,
  };
}

class AttemptTimeoutError extends Error {}

/** A lookup that answers only with addresses the guard approved, so the connection goes to one of them. */
function guardedLookup(target: WebhookTarget, policy: WebhookUrlPolicy): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    resolveWebhookAddresses(target, policy).then(
      (addresses) => {
        const first = addresses[0];
        if (lookupOptions.all) callback(null, addresses as LookupAddress[]);
        else if (first) callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, '', 0),
    );
  };
}

function failed(statusCode: number | null, durationMs: number, error: string): WebhookAttemptOutcome {
  return { delivered: false, statusCode, durationMs, responseExcerpt: null, error };
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof AttemptTimeoutError) return `no answer within ${timeoutMs} ms`;
  if (error instanceof GatewayError) return error.message;
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  const code = errorCodeOf(error);
  const text = error instanceof Error ? error.message : String(error);
  return code !== undefined && !text.includes(code) ? `${code}: ${text}` : text;
}
