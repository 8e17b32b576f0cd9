import { pipeline } from 'node:stream/promises';
import { ImageExpiredError, ImageUrlRefusedError, RangeNotSatisfiableHttpError } from '@imagegate/core';
import {
  type ByteRange,
  type LocalObjectStore,
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  SIGNED_FILE_PATH,
} from '@imagegate/storage';
import { type Request, type Response, Router } from 'express';
import type { IngressDeps } from '../deps.ts';

// Generated SVGs are served from the API's own origin: opened in a browser, they may not run
// scripts or load anything, and no response is sniffed into something else.
const SAFETY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'cross-origin-resource-policy': 'cross-origin',
};

/**
 * One `bytes=` range of a Range header, or undefined to serve the whole image (no header, several
 * ranges, or a header that is not a valid range: RFC 9110 lets a server ignore those).
 */
export function parseRangeHeader(header: string | undefined): ByteRange | undefined {
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return { suffixLength: Number(last) };
  if (last === '') return { start: Number(first) };
  if (Number(last) < Number(first)) return undefined;
  return { start: Number(first), end: Number(last) };
}

/**
 * `GET /v1/images/files/<token>`: an image of the local store, to whoever holds a URL the store
 * signed (`presignGet`); no API key, as with S3's presigned URLs. A changed or expired URL is a 403;
 * nothing lists, writes or guesses its way in (there is no other route here). Mounted only when the
 * local store is in use.
 */
export function imageFilesRouter(store: LocalObjectStore, deps: Pick<IngressDeps, 'logger'>): Router {
  const router = Router();
  router.get(`${SIGNED_FILE_PATH}/:token`, async (request: Request<{ token: string }>, response: Response) => {
    const checked = store.checkToken(request.params.token);
    if (!checked.ok) {
      throw checked.reason === 'expired'
        ? new ImageUrlRefusedError('The image URL has expired.', { code: 'image_url_expired' })
        : new ImageUrlRefusedError('The image URL is not valid.', { code: 'image_url_invalid' });
    }
    const range = parseRangeHeader(request.headers.range);
    const controller = new AbortController();
    response.once('close', () => controller.abort());
    let file: Awaited<ReturnType<LocalObjectStore['getObjectStream']>>;
    try {
      file = await store.getObjectStream(checked.key, { range, signal: controller.signal });
    } catch (error) {
      // The URL was signed for an image that existed: now gone, the retention sweep deleted it.
      if (error instanceof ObjectNotFoundError) throw new ImageExpiredError();
      if (error instanceof RangeNotSatisfiableError) {
        if (error.size !== undefined) response.setHeader('content-range', `bytes */${error.size}`);
        throw new RangeNotSatisfiableHttpError();
      }
      throw error;
    }
    const maxAge = Math.max(0, checked.expiresAt - Math.floor(Date.now() / 1000));
    response.status(file.range === undefined ? 200 : 206).set({
      ...SAFETY_HEADERS,
      'content-type': file.contentType,
      'content-length': String(file.contentLength),
      'accept-ranges': 'bytes',
      // The bytes behind a URL never change; a cache keeps them no longer than the URL lives.
      'cache-control': `private, max-age=${maxAge}, immutable`,
      ...(file.range === undefined
        ? {}
        : { 'content-range': `bytes ${file.range.start}-${file.range.end}/${file.size}` }),
    });
    if (request.method === 'HEAD') {
      file.stream.destroy();
      response.end();
      return;
    }
    await pipeline(file.stream, response).catch((error: unknown) => {
      // Mostly a client that left; the status is sent, so only the log can tell.
      deps.logger.debug({ err: error, key: checked.key }, 'serving an image ended early');
    });
  });
  return router;
}
