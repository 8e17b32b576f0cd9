import { match } from 'path-to-regexp';
import type { ApiRoute, HttpMethod } from './api-route.ts';

/** A known path as a request met it: its template and the methods it answers. */
export interface MatchedPath {
  /** The OpenAPI form of the path (`/v1/images/jobs/{id}`): the metrics' `route` label. */
  template: string;
  methods: ReadonlySet<HttpMethod>;
}

/** `/v1/images/jobs/:id` → `/v1/images/jobs/{id}`; `/v1/models/*name` → `/v1/models/{name}`. */
export function openApiPathOf(expressPath: string): string {
  return expressPath.replace(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/**
 * Matches request paths against the routes' templates as express does (case-insensitive, a
 * trailing slash allowed), without decoding them (a bad percent-escape is the router's to refuse).
 */
export function createRouteMatcher(routes: readonly ApiRoute[]): (path: string) => MatchedPath | undefined {
  const byPath = new Map<
    string,
    { test: (path: string) => boolean; matched: MatchedPath & { methods: Set<HttpMethod> } }
  >();
  for (const route of routes) {
    let entry = byPath.get(route.path);
    if (entry === undefined) {
      const matches = match(route.path, { decode: false, sensitive: false, trailing: true });
      entry = {
        test: (path) => matches(path) !== false,
        matched: { template: openApiPathOf(route.path), methods: new Set() },
      };
      byPath.set(route.path, entry);
    }
    entry.matched.methods.add(route.method);
  }
  const entries = [...byPath.values()];
  return (path) => entries.find((entry) => entry.test(path))?.matched;
}
