import OpenAI from 'openai';
import { secretRedactor } from '../redact.ts';
import { type ImageProvider, mediaTypeOf, type ProviderImageRequest, type ProviderImageResult } from '../spec.ts';
import { createUpstreamAgent } from '../upstream-agent.ts';
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
    fetchOptions: { dispatcher } as OpenAI['fetchOptions'],
  });

  // OpenAI quotes keys back in some errors ("Incorrect API key provided: sk-…"); the SDK's error
  // travels on as our error's cause, so it is scrubbed before anything can log it.
  const redact = secretRedactor([config.apiKey]);

  return {
    name: 'openai',
    async generate(request: ProviderImageRequest, options): Promise<ProviderImageResult> {
      let response: OpenAI.ImagesResponse;
      try {
        response = await client.images.generate(
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
          },
          { signal: options.signal },
        );
      } catch (error) {
        throw mapOpenAIError(redactApiError(error, redact));
      }
      const outputFormat = response.output_format ?? request.outputFormat;
      const images = (response.data ?? []).flatMap((image) =>
        image.b64_json ? [{ bytes: Buffer.from(image.b64_json, 'base64'), mediaType: mediaTypeOf(outputFormat) }] : [],
      );
      return {
        images,
        size: response.size ?? request.size,
        quality: response.quality ?? request.quality,
        outputFormat,
        background: response.background ?? (request.background === 'transparent' ? 'transparent' : 'opaque'),
        usage: response.usage as Record<string, unknown> | undefined,
        warnings: [],
      };
    },
  };
}
