import { InternalError, type Redact, secretRedactor, UpstreamError } from '@imagegate/core';
import {
  formatOfMediaType,
  type GenerateOptions,
  type ImageProvider,
  type ProviderImageRequest,
  type ProviderImageResult,
} from '../spec.ts';
import { createUpstreamAgent } from '../upstream-agent.ts';
import { UPSTREAM_DEFAULTS } from '../upstream-defaults.ts';
import { createUpstreamFetch } from '../upstream-fetch.ts';
import { type GeminiSurface, geminiGenerateContentBody, geminiOutput } from './gemini-generate-content.ts';
import { postStreamed } from './gemini-stream.ts';
import { createVertexAccessTokens, type ServiceAccountKey } from './google-auth.ts';
import { geminiApiModelUrl, vertexModelUrl } from './google-endpoints.ts';
import { mapTransportError } from './google-errors.ts';
import { postJson, successBody } from './google-http.ts';
import { googleOptionsOf } from './google-options.ts';
import { requestedMediaType } from './google-output-format.ts';
import { imagenOutput, imagenPredictBody } from './imagen-predict.ts';

export type { ServiceAccountKey } from './google-auth.ts';

export interface GoogleProviderConfig {
  /** Vertex AI: used for both Imagen and Gemini models when present. */
  vertex?:
    | {
        /** The parsed service-account key file. */
        credentials: ServiceAccountKey;
        project: string;
        /** Where Imagen runs: e.g. `us-central1`. */
        location: string;
        /** Where Gemini image models run (default `global`: the Gemini 3 image models are served there). */
        geminiLocation?: string | undefined;
        /** Replaces `https://{location}-aiplatform.googleapis.com` (e.g. an emulator origin). */
        baseURL?: string | undefined;
      }
    | undefined;
  /** Gemini API (API key): used for Gemini models when Vertex is not configured. */
  geminiApi?:
    | {
        apiKey: string;
        /** Default `https://generativelanguage.googleapis.com`. */
        baseURL?: string | undefined;
      }
    | undefined;
  /** Milliseconds one upstream call may take, token exchange included (default 10 minutes). */
  timeoutMs?: number | undefined;
  /** Keep-alive connections to Google (default 128). */
  connections?: number | undefined;
}

/** One upstream call: where, with which credentials, and how to keep those out of error texts. */
interface Target {
  url: string;
  headers: Record<string, string>;
  scrub: Redact;
  /**
   * For a cached Vertex token: forgets it and returns a target with a fresh one, to try once more
   * after a 401 (a token revoked or expired early is no reason to fail the job).
   */
  refresh?: (() => Promise<Target>) | undefined;
  /** Called when the upstream answers 401 and there is no refreshing left. */
  onRefused?: (() => void) | undefined;
}

/**
 * Google's image models: Imagen through Vertex `:predict`, Gemini through `:generateContent` on
 * Vertex (service account) or, without Vertex, on the Gemini API (API key). Retries are the
 * worker's job, so every call is made once.
 */
export function createGoogleImageProvider(config: GoogleProviderConfig): ImageProvider {
  const timeoutMs = config.timeoutMs ?? UPSTREAM_DEFAULTS.timeoutMs;
  const upstreamFetch = createUpstreamFetch(createUpstreamAgent({ connections: config.connections, timeoutMs }));
  const vertex = config.vertex;
  const tokens = vertex === undefined ? undefined : createVertexAccessTokens(vertex.credentials);
  const apiKey = config.geminiApi?.apiKey;

  async function vertexTarget(
    model: string,
    method: 'predict' | 'generateContent',
    signal: AbortSignal,
  ): Promise<Target | undefined> {
    if (vertex === undefined || tokens === undefined) return undefined;
    const url = vertexModelUrl(
      method === 'generateContent' ? { ...vertex, location: vertex.geminiLocation ?? 'global' } : vertex,
      model,
      method,
    );
    const withToken = (token: string) => ({
      url,
      headers: { authorization: `Bearer ${token}` },
      scrub: secretRedactor([token]),
    });
    const token = await tokens.get(signal);
    return {
      ...withToken(token),
      refresh: async () => {
        tokens.invalidate(token);
        const fresh = await tokens.get(signal);
        // Forgotten too if Vertex refuses it: the next job starts with another exchange.
        return { ...withToken(fresh), refresh: undefined, onRefused: () => tokens.invalidate(fresh) };
      },
    };
  }

  function geminiApiTarget(model: string): Target | undefined {
    if (config.geminiApi === undefined || apiKey === undefined) return undefined;
    return {
      url: geminiApiModelUrl(config.geminiApi.baseURL, model),
      headers: { 'x-goog-api-key': apiKey },
      scrub: secretRedactor([apiKey]),
    };
  }

  async function call(target: Target, body: unknown, signal: AbortSignal): Promise<unknown> {
    const response = await postJson(upstreamFetch, target.url, target.headers, body, signal);
    if (response.status === 401 && target.refresh !== undefined) {
      return call(await target.refresh(), body, signal);
    }
    if (response.status === 401) target.onRefused?.();
    return successBody(response, target.scrub);
  }

  async function generateImagen(request: ProviderImageRequest, signal: AbortSignal): Promise<ProviderImageResult> {
    const options = googleOptionsOf(request.providerOptions);
    const requested = requestedMediaType(request.outputFormat);
    const body = imagenPredictBody(request, requested.mediaType, options);
    const target = await vertexTarget(request.providerModel, 'predict', signal);
    if (target === undefined) throw notConfigured('Imagen models need Vertex AI, which is not configured.');
    const output = imagenOutput(request, await call(target, body, signal), requested.mediaType);
    return result(request, output, [...requested.warnings, ...output.warnings]);
  }

  async function generateGemini(
    request: ProviderImageRequest,
    signal: AbortSignal,
    onTextDelta: ((delta: string) => void) | undefined,
  ): Promise<ProviderImageResult> {
    const surface: GeminiSurface = vertex === undefined ? 'gemini-api' : 'vertex';
    const options = googleOptionsOf(request.providerOptions);
    const requested = requestedMediaType(request.outputFormat);
    const body = await geminiGenerateContentBody(request, surface, requested.mediaType, options);
    const target =
      surface === 'vertex'
        ? await vertexTarget(request.providerModel, 'generateContent', signal)
        : geminiApiTarget(request.providerModel);
    if (target === undefined) throw notConfigured('Neither Vertex AI nor the Gemini API is configured.');
    // A conversation whose text is wanted as it is written is streamed; everything else is one answer.
    const answer =
      request.conversation !== undefined && onTextDelta !== undefined
        ? await postStreamed(upstreamFetch, target.url, target.headers, body, signal, onTextDelta, target.scrub)
        : await call(target, body, signal);
    const output = geminiOutput(answer, formatOfMediaType(requested.mediaType));
    const compression =
      surface === 'gemini-api' && request.outputCompression !== undefined
        ? ['output_compression was not applied: the Gemini API does not take it (Vertex AI does).']
        : [];
    return result(request, output, [...requested.warnings, ...compression, ...output.warnings]);
  }

  return {
    name: 'google',
    async generate(request: ProviderImageRequest, options: GenerateOptions): Promise<ProviderImageResult> {
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
      try {
        if (request.protocol === 'vertex-imagen') return await generateImagen(request, signal);
        if (request.protocol === 'gemini') return await generateGemini(request, signal, options.onTextDelta);
        throw new InternalError(`The Google adapter does not speak protocol "${request.protocol}".`);
      } catch (error) {
        throw mapTransportError(error, { caller: options.signal, deadline });
      }
    },
  };
}

function result(
  request: ProviderImageRequest,
  output: {
    images: ProviderImageResult['images'];
    outputFormat: string;
    usage?: Record<string, unknown> | undefined;
    text?: string | undefined;
  },
  warnings: string[],
): ProviderImageResult {
  return {
    images: output.images,
    ...(output.text ? { text: output.text } : {}),
    // Google sizes by aspect ratio and resolution class; the catalog resolved both from this size.
    size: request.size,
    quality: 'standard',
    outputFormat: output.outputFormat,
    background: 'opaque',
    usage: output.usage,
    warnings,
  };
}

function notConfigured(message: string): UpstreamError {
  return new UpstreamError(message, { code: 'upstream_not_configured' });
}
