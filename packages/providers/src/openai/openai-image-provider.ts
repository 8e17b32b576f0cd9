import { AbortedError, UpstreamError } from '@imagegate/core';
import OpenAI from 'openai';
import { readJsonWithBase64Fields } from '../base64-json.ts';
import { secretRedactor } from '../redact.ts';
import { type ImageProvider, mediaTypeOf, type ProviderImageRequest, type ProviderImageResult } from '../spec.ts';
import { createUpstreamAgent } from '../upstream-agent.ts';
import { createUpstreamFetch, nodeBodyOf } from '../upstream-fetch.ts';
import { mapOpenAIError, redactApiError } from './openai-errors.ts';

export interface OpenAIProviderConfig {
  apiKey: string;
  /** e.g. `https://api.openai.com/v1`, or an emulator. */
  baseURL: string;
  /** Milliseconds one upstream call may take (default 10 minutes: high-quality renders are slow). */
  timeoutMs?: number;
  /** Keep-alive connections to the upstream (default 128). */
  connections?: number;
}

/** The OpenAI Images API through the official SDK. Retries are the worker's job, so the SDK makes none. */
export function createOpenAIImageProvider(config: OpenAIProviderConfig): ImageProvider {
  const dispatcher = createUpstreamAgent({ connections: config.connections, timeoutMs: config.timeoutMs });
  const client = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    maxRetries: 0,
    timeout: config.timeoutMs ?? 600_000,
    fetch: createUpstreamFetch(dispatcher),
  });

  // OpenAI quotes keys back in some errors ("Incorrect API key provided: sk-…"); the SDK's error
  // travels on as our error's cause, so it is scrubbed before anything can log it.
  const redact = secretRedactor([config.apiKey]);

  return {
    name: 'openai',
    async generate(request: ProviderImageRequest, options): Promise<ProviderImageResult> {
      let response: ImagesAnswer;
      try {
        // The SDK builds, sends and maps errors; the 2xx body is read here so images are decoded as
        // they arrive instead of parsing megabytes of base64 text (see base64-json.ts).
        const raw = await client.images
          .generate(
            {
              model: request.providerModel,
              prompt: request.prompt,
              n: request.n,
              size: request.size as OpenAI.ImageGenerateParams['size'],
              quality: request.quality,
              background: request.background,
              output_format: request.outputFormat,
              ...(request.outputCompression === undefined ? {} : { output_compression: request.outputCompression }),
              ...(request.moderation === undefined ? {} : { moderation: request.moderation }),
              ...(request.user === undefined ? {} : { user: request.user }),
              ...newerFields(request),
            },
            { signal: options.signal },
          )
          .asResponse();
        response = await readImagesAnswer(raw, options.signal);
      } catch (error) {
        throw mapOpenAIError(redactApiError(error, redact));
      }
      const outputFormat = response.output_format ?? request.outputFormat;
      const images = (response.data ?? []).flatMap((image) => {
        // Decoded while streaming, or (a key written with escapes) still the base64 text.
        const bytes = typeof image.b64_json === 'string' ? Buffer.from(image.b64_json, 'base64') : image.b64_json;
        return bytes && bytes.byteLength > 0 ? [{ bytes, mediaType: mediaTypeOf(outputFormat) }] : [];
      });
      return {
        images,
        size: response.size ?? request.size,
        quality: response.quality ?? request.quality,
        outputFormat,
        background: response.background ?? (request.background === 'transparent' ? 'transparent' : 'opaque'),
        usage: usageOf(response),
        warnings: [],
      };
    },
  };
}

/** An Images API answer as read by `readImagesAnswer`: each `b64_json` already decoded. */
type ImagesAnswer = Omit<OpenAI.ImagesResponse, 'data'> & {
  data?: (Omit<OpenAI.Image, 'b64_json'> & { b64_json?: Buffer | string | undefined })[];
};

const IMAGE_FIELDS: ReadonlySet<string> = new Set(['b64_json']);

/** A 2xx answer's body; a connection cut mid-body is retryable, a body that is not JSON too. */
async function readImagesAnswer(response: Response, signal: AbortSignal | undefined): Promise<ImagesAnswer> {
  const body = nodeBodyOf(response) ?? response.body;
  if (body === null) throw new UpstreamError('The upstream answered with an empty body.', { retryable: true });
  try {
    const sizeHint = Number(response.headers.get('content-length')) || undefined;
    return (await readJsonWithBase64Fields(body, IMAGE_FIELDS, { sizeHint })) as ImagesAnswer;
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(undefined, { cause: error });
    const what = error instanceof SyntaxError ? 'an answer that is not valid JSON' : 'a broken connection';
    throw new UpstreamError(`The upstream sent ${what}.`, {
      code: 'upstream_error',
      retryable: true,
      cause: error,
    });
  }
}

/**
 * Fields of the GPT image models newer than the SDK's types here (openai 7.59: `complexity`, GIF's
 * `frame_count`/`frame_duration_ms`, `svg`, `safety_identifier`), sent only when asked for.
 */
function newerFields(request: ProviderImageRequest): Record<string, unknown> {
  return {
    ...(request.complexity === undefined ? {} : { complexity: request.complexity }),
    ...(request.frameCount === undefined ? {} : { frame_count: request.frameCount }),
    ...(request.frameDurationMs === undefined ? {} : { frame_duration_ms: request.frameDurationMs }),
    ...(request.svg === undefined ? {} : { svg: request.svg }),
    ...(request.safetyIdentifier === undefined ? {} : { safety_identifier: request.safetyIdentifier }),
  };
}

/** The answer's `usage`, with the SVG author model's `svg_usage` (a sibling field) kept inside it. */
function usageOf(response: ImagesAnswer): Record<string, unknown> | undefined {
  const svgUsage: unknown = Reflect.get(response, 'svg_usage');
  if (response.usage === undefined) return undefined;
  return svgUsage === undefined ? { ...response.usage } : { ...response.usage, svg_usage: svgUsage };
}
