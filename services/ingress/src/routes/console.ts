import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObjectStore } from '@imagegate/storage';
import express, { type NextFunction, type Request, type Response, Router } from 'express';

/** The console's own files: plain ES modules, served as they are (no build step). */
const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));
/** Preact, its hooks and htm in one ES module without bare imports, straight from node_modules. */
const PREACT_HTM_DIR = dirname(createRequire(import.meta.url).resolve('htm/preact'));

export const CONSOLE_PATH = '/console';

/**
 * The policy every console response carries. Scripts come only from this origin (no inline script,
 * no eval); images also from the object store's origin (presigned URLs) and `blob:`/`data:` (uploads,
 * the mask painter, streamed partials); the page talks to nothing but this origin.
 */
export function consoleContentSecurityPolicy(imageOrigin: string | undefined): string {
  const images = ["'self'", 'data:', 'blob:', ...(imageOrigin === undefined ? [] : [imageOrigin])];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images.join(' ')}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The origin the store's presigned URLs point at, when it is not the ingress itself. */
function imageOriginOf(store: ObjectStore): string | undefined {
  try {
    return new URL(store.presignGet('console/origin-probe', 60)).origin;
  } catch {
    return undefined;
  }
}

/**
 * `/console/`: the web console, static files that use the public and admin APIs like any other
 * client. The credential stays in the tab (session storage) and travels only in `Authorization`.
 */
export function consoleRouter(store: ObjectStore): Router {
  const router = Router();
  const policy = consoleContentSecurityPolicy(imageOriginOf(store));
  const secure = (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', policy);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('X-Frame-Options', 'DENY');
    // Small files, changed with every release: always revalidated, never stale after an upgrade.
    response.setHeader('Cache-Control', 'no-cache');
    next();
  };
  const files = { index: 'index.html', redirect: true, dotfiles: 'ignore' as const, fallthrough: true };
  router.use(CONSOLE_PATH, secure);
  router.use(`${CONSOLE_PATH}/vendor`, express.static(PREACT_HTM_DIR, { ...files, index: false }));
  router.use(CONSOLE_PATH, express.static(CONSOLE_DIR, files));
  return router;
}
