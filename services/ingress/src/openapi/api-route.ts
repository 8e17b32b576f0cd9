import type { z } from 'zod';

/** Who may call a route: anyone, an API key's holder, or the operator with `ADMIN_TOKEN`. */
export type RouteAuth = 'none' | 'api_key' | 'admin';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One answer of a route: its status, what it means, and its body's schema (or content type). */
export interface RouteAnswer {
  status: number;
  description: string;
  /** A JSON body's schema; `text` for a non-JSON body; neither for no body. */
  json?: z.ZodType;
  text?: { contentType: string };
}

/**
 * One endpoint, as the OpenAPI document describes it and the ingress matches requests against it
 * (405 with `Allow`, the metrics' `route` label). Adding an endpoint to the API is adding one of
 * these to `API_ROUTES` (and the express handler; a test fails when one is missing).
 */
export interface ApiRoute {
  method: HttpMethod;
  /** The express path (`/v1/images/jobs/:id`, `/v1/models/*name`). */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  /** The schema the route parses its JSON body with (its input side is documented). */
  jsonBody?: z.ZodType;
  /** A multipart/form-data body: the text fields' schema and the names of the file parts. */
  multipartBody?: {
    fields: z.ZodType;
    files: { name: string; many: boolean; required: boolean; description: string }[];
  };
  /** The schema of the query string (each property one parameter). */
  query?: z.ZodType;
  /** Headers the route reads (name → description). */
  headers?: Record<string, string>;
  answers: RouteAnswer[];
}
