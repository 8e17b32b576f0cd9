import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { GatewayError, InvalidRequestError, PayloadTooLargeError } from '@imagegate/core';
import {
  parseWebhookUrl,
  refuseAddress,
  resolveWebhookAddresses,
  type WebhookTarget,
  type WebhookUrlPolicy,
} from '@imagegate/webhooks';

export interface FetchImageUrlOptions {
  /** The SSRF guard's settings, shared with webhooks: https only, public addresses only, bar allow-listed hosts. */
  policy: WebhookUrlPolicy;
  /** Longest the whole fetch may take, from DNS to the last byte (ms). */
  timeoutMs: number;
  maxBytes: number;
  /** The request part named in refusals, e.g. `images[0].image_url`. */
  param: string;
}

/** The guard's refusal, re-aimed at the image URL's part. */
function refusedOn(param: string, error: unknown): GatewayError {
  if (error instanceof GatewayError) {
    const message = error.message
      .replaceAll('webhook_url', param)
      .replace('webhooks only go to public hosts', 'images are only fetched from public hosts');
    return new InvalidRequestError(message, { param });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new InvalidRequestError(`${param} could not be fetched: ${reason}.`, { param });
}

/** A lookup answering only with addresses the guard approved, so the connection goes to one of them. */
function guardedLookup(target: WebhookTarget, policy: WebhookUrlPolicy): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    resolveWebhookAddresses(target, policy).then(
      (addresses) => {
        const first = addresses[0];
        if (lookupOptions.all) callback(null, addresses);
        else if (first) callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, '', 0),
    );
  };
}

/**
 * GETs an image URL through the webhook SSRF guard (the host is resolved by the guard and only
 * approved addresses are connected to; the peer is checked again on connect), refusing redirects,
 * non-2xx answers, a declared length over `maxBytes` and anything slower than `timeoutMs`. Hands
 * the body to `consume` (which enforces the size as it reads) and closes the connection after.
 */
export async function fetchImageUrl<T>(
  raw: string,
  options: FetchImageUrlOptions,
  consume: (body: IncomingMessage) => Promise<T>,
): Promise<T> {
  const { param, policy } = options;
  let target: WebhookTarget;
  try {
    target = parseWebhookUrl(raw, policy);
    const literalRefusal = isIP(target.host) === 0 ? undefined : refuseAddress(target, target.host);
    if (literalRefusal) throw literalRefusal;
  } catch (error) {
    throw refusedOn(param, error);
  }
  const timedOut = new InvalidRequestError(`${param} was not fetched within ${options.timeoutMs} ms.`, { param });
  const request = (target.url.protocol === 'https:' ? httpsRequest : httpRequest)(target.url, {
    method: 'GET',
    headers: { 'user-agent': 'imagegate-inputs/1', accept: 'image/png, image/jpeg, image/webp' },
    agent: false,
    lookup: target.allowListed ? undefined : guardedLookup(target, policy),
  });
  const timer = setTimeout(() => request.destroy(timedOut), options.timeoutMs);
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.on('socket', (socket) => {
        socket.once('connect', () => {
          const refusal = refuseAddress(target, socket.remoteAddress ?? '');
          if (refusal) request.destroy(refusal);
        });
      });
      request.on('response', resolve);
      request.on('error', reject);
      request.end();
    }).catch((error: unknown) => {
      throw error === timedOut ? timedOut : refusedOn(param, error);
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw new InvalidRequestError(
        `${param} answered HTTP ${status}${status < 400 && status >= 300 ? ' (redirects are not followed)' : ''}.`,
        { param },
      );
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      throw new PayloadTooLargeError(`${param} is larger than ${options.maxBytes} bytes.`, { param });
    }
    // A timeout mid-body surfaces as the body's error; report it as the timeout.
    return await consume(response).catch((error: unknown) => {
      throw error instanceof GatewayError ? error : request.destroyed ? timedOut : refusedOn(param, error);
    });
  } finally {
    clearTimeout(timer);
    request.destroy();
  }
}
