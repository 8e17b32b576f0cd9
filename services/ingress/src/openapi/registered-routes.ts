import type { Express } from 'express';

export interface RegisteredRoute {
  /** Lower case, as in the OpenAPI document. */
  method: string;
  /** The express path. */
  path: string;
}

interface LayerLike {
  route?: { path: string; stack: { method?: string }[] } | undefined;
  handle: unknown;
}

function nestedStackOf(handle: unknown): LayerLike[] {
  if (typeof handle !== 'function' || !('stack' in handle) || !Array.isArray(handle.stack)) return [];
  return handle.stack;
}

/**
 * Every method and path the app has a route for, in its own routers too (mounted at the root, as
 * the ingress mounts them): what the OpenAPI document must cover.
 */
export function registeredRoutes(app: Express): RegisteredRoute[] {
  const found: RegisteredRoute[] = [];
  const walk = (layers: LayerLike[]) => {
    for (const layer of layers) {
      if (layer.route !== undefined) {
        const methods = new Set(layer.route.stack.flatMap((each) => (each.method ? [each.method] : [])));
        for (const method of methods) found.push({ method, path: layer.route.path });
      } else {
        walk(nestedStackOf(layer.handle));
      }
    }
  };
  walk(app.router.stack);
  return found;
}
