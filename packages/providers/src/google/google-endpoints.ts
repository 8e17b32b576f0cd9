/** Where a Vertex project's publisher models live. */
export interface VertexLocation {
  project: string;
  /** e.g. `us-central1`, or `global`. */
  location: string;
  /** Replaces the host chosen from `location` (an emulator origin). */
  baseURL?: string | undefined;
}

export const GEMINI_API_BASE_URL = 'https://generativelanguage.googleapis.com';

/** `…/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}`. */
export function vertexModelUrl(vertex: VertexLocation, model: string, method: 'predict' | 'generateContent'): string {
  const base = trimSlash(vertex.baseURL ?? vertexHost(vertex.location));
  const path = `projects/${encodeURIComponent(vertex.project)}/locations/${encodeURIComponent(vertex.location)}`;
  return `${base}/v1/${path}/publishers/google/models/${encodeURIComponent(model)}:${method}`;
}

/** `…/v1beta/models/{model}:generateContent`. The API key travels in a header, never here. */
export function geminiApiModelUrl(baseURL: string | undefined, model: string): string {
  return `${trimSlash(baseURL ?? GEMINI_API_BASE_URL)}/v1beta/models/${encodeURIComponent(model)}:generateContent`;
}

/** As js-genai picks it: the global endpoint has no region prefix. */
const MULTI_REGIONS = new Set(['us', 'eu']);

/** The Gen AI SDK's host choice: global, the multi-region `rep` hosts, else regional. */
function vertexHost(location: string): string {
  if (location === 'global') return 'https://aiplatform.googleapis.com';
  if (MULTI_REGIONS.has(location)) return `https://aiplatform.${location}.rep.googleapis.com`;
  return `https://${location}-aiplatform.googleapis.com`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
