import type { GoogleErrorReply } from './errors.ts';
import { googleError } from './errors.ts';

/** A request path the Google emulator recognises. */
export type GoogleRoute =
  | { kind: 'vertex'; version: string; project: string; location: string; model: string; method: string }
  | { kind: 'gemini'; version: string; model: string; method: string }
  | { kind: 'token' }
  | { kind: 'control' }
  | { kind: 'unknown' };

const VERTEX_PATH =
  /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):([A-Za-z]+)$/;
const GEMINI_PATH = /^\/(v1beta|v1)\/models\/([^/:]+):([A-Za-z]+)$/;

/** Classifies a path (query already removed). Vertex accepts `v1` and the SDK's default `v1beta1`. */
export function matchGoogleRoute(path: string): GoogleRoute {
  if (path === '/token') return { kind: 'token' };
  if (path.startsWith('/__emulator/')) return { kind: 'control' };
  const vertex = VERTEX_PATH.exec(path);
  if (vertex) {
    const [, version = '', project = '', location = '', model = '', method = ''] = vertex;
    return { kind: 'vertex', version, project, location, model: decodeURIComponent(model), method };
  }
  const gemini = GEMINI_PATH.exec(path);
  if (gemini) {
    const [, version = '', model = '', method = ''] = gemini;
    return { kind: 'gemini', version, model: decodeURIComponent(model), method };
  }
  return { kind: 'unknown' };
}

/** Vertex's 404 for a publisher model it does not serve on this method. */
export function vertexModelNotFound(route: { project: string; location: string; model: string }): GoogleErrorReply {
  const name = `projects/${route.project}/locations/${route.location}/publishers/google/models/${route.model}`;
  return googleError(404, 'NOT_FOUND', `Publisher Model \`${name}\` not found.`);
}

/** The Gemini API's 404 for a model it does not serve on this method. */
export function geminiModelNotFound(route: { version: string; model: string; method: string }): GoogleErrorReply {
  const message = `models/${route.model} is not found for API version ${route.version}, or is not supported for ${route.method}. Call ListModels to see the list of available models and their supported methods.`;
  return googleError(404, 'NOT_FOUND', message);
}
