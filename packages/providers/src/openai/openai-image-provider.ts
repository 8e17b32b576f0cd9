import { secretRedactor } from '@imagegate/core';
import OpenAI, { toFile } from 'openai';
import { z } from 'zod';
import { base64BytesSchema, lenient, lenientList, readUpstreamJson } from '../http-json.ts';
import {
  formatOfMediaType,
  type ImageProvider,
  mediaTypeOf,
  type ProviderEditInputs,
  type ProviderImage,
  type ProviderImageRequest,
  type ProviderImageResult,
  type ProviderInputImage,
} from '../spec.ts';
import { createUpstreamAgent } from '../upstream-agent.ts';
import { UPSTREAM_DEFAULTS } from '../upstream-defaults.ts';
import { createUpstreamFetch } from '../upstream-fetch.ts';
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
    timeout: config.timeoutMs ?? UPSTREAM_DEFAULTS.timeoutMs,
    fetch: createUpstreamFetch(dispatcher),
  });

  // OpenAI quotes keys back in some errors ("Incorrect API key provided: sk-…"); the SDK's error
  // travels on as our error's cause, so it is scrubbed before anything can log it.
  const redact = secretRedactor([config.apiKey]);

  return {
    name: 'openai',
    async generate(request: ProviderImageRequest, options): Promise<ProviderImageResult> {
      const { onPartialImage } = options;
      if (request.partialImages !== undefined && onPartialImage !== undefined) {
        try {
          return await streamed(client, request, onPartialImage, options.signal);
        } catch (error) {
          throw mapOpenAIError(redactApiError(error, redact));
        }
      }
      let response: ImagesAnswer;
      try {
        // The SDK builds, sends and maps errors; the 2xx body is read here so images are decoded as
        // they arrive instead of parsing megabytes of base64 text (see base64-json.ts).
        const raw = await (request.inputs === undefined
          ? client.images.generate(generateParams(request), { signal: options.signal }).asResponse()
          : client.images.edit(await editParams(request, request.inputs), { signal: options.signal }).asResponse());
        response = await readUpstreamJson(raw, imagesAnswerSchema, {
          imageFields: IMAGE_FIELDS,
          signal: options.signal,
        });
      } catch (error) {
        throw mapOpenAIError(redactApiError(error, redact));
      }
      const outputFormat = response.output_format ?? request.outputFormat;
      const images = response.data.flatMap((image) =>
        image.b64_json && image.b64_json.byteLength > 0
          ? [{ bytes: image.b64_json, mediaType: mediaTypeOf(outputFormat) }]
          : [],
      );
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

/**
 * A call streamed with `partial_images`: each partial goes to `onPartialImage` as it arrives (the
 * call waits for it: the worker stores and announces it), the completed events make the result.
 */
async function streamed(
  client: OpenAI,
  request: ProviderImageRequest,
  onPartialImage: (image: ProviderImage, index: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<ProviderImageResult> {
  const partialImages = request.partialImages;
  const stream =
    request.inputs === undefined
      ? await client.images.generate(
          { ...generateParams(request), stream: true, partial_images: partialImages },
          { signal },
        )
      : await client.images.edit(
          { ...(await editParams(request, request.inputs)), stream: true, partial_images: partialImages },
          { signal },
        );
  const images: ProviderImage[] = [];
  let last: OpenAI.ImageGenCompletedEvent | OpenAI.ImageEditCompletedEvent | undefined;
  for await (const event of stream) {
    // An event type newer than this code, without an image, is not ours to read.
    if (typeof event.b64_json !== 'string') continue;
    const bytes = Buffer.from(event.b64_json, 'base64');
    const image = { bytes, mediaType: mediaTypeOf(event.output_format) };
    if (event.type === 'image_generation.partial_image' || event.type === 'image_edit.partial_image') {
      await onPartialImage(image, event.partial_image_index);
    } else if (bytes.byteLength > 0) {
      images.push(image);
      last = event;
    }
  }
  return {
    images,
    size: last?.size ?? request.size,
    quality: last?.quality ?? request.quality,
    outputFormat: last?.output_format ?? request.outputFormat,
    background: last?.background ?? (request.background === 'transparent' ? 'transparent' : 'opaque'),
    usage: last?.usage === undefined ? undefined : { ...last.usage },
    warnings: [],
  };
}

/** What generations and edits share: the output's size, quality, format and the newer fields. */
function outputParams(request: ProviderImageRequest) {
  return {
    model: request.providerModel,
    prompt: request.prompt,
    n: request.n,
    // Any WxH the catalog allowed; the SDK's type lists only the classic sizes.
    size: request.size as OpenAI.ImageGenerateParams['size'],
    quality: request.quality,
    background: request.background,
    ...(request.outputCompression === undefined ? {} : { output_compression: request.outputCompression }),
    ...(request.user === undefined ? {} : { user: request.user }),
    ...newerFields(request),
  };
}

function generateParams(request: ProviderImageRequest): OpenAI.ImageGenerateParamsNonStreaming {
  return {
    ...outputParams(request),
    output_format: request.outputFormat,
    ...(request.moderation === undefined ? {} : { moderation: request.moderation }),
  };
}

/**
 * `images.edit` sends multipart: one part per input image (`image[]`, in order) and the mask as is,
 * since our clients already speak OpenAI's mask convention. Edits take no `moderation`.
 */
async function editParams(
  request: ProviderImageRequest,
  inputs: ProviderEditInputs,
): Promise<OpenAI.ImageEditParamsNonStreaming> {
  const file = (image: ProviderInputImage, name: string) =>
    toFile(image.data, `${name}.${formatOfMediaType(image.mediaType)}`, { type: image.mediaType });
  const images = await Promise.all(inputs.images.map((image, index) => file(image, `image-${index}`)));
  // SVG is a generation-only format: the catalog refuses it on edits before a job exists.
  if (request.outputFormat === 'svg') throw new Error('an edit cannot ask for SVG output');
  return {
    ...outputParams(request),
    image: images,
    output_format: request.outputFormat,
    ...(inputs.mask === undefined ? {} : { mask: await file(inputs.mask, 'mask') }),
    ...(request.inputFidelity === undefined ? {} : { input_fidelity: request.inputFidelity }),
  };
}

/** The part of an Images API answer we use; each `b64_json` decoded while the body streamed in. */
const imagesAnswerSchema = z.object({
  data: lenientList(z.object({ b64_json: lenient(base64BytesSchema) })),
  output_format: lenient(z.string()),
  size: lenient(z.string()),
  quality: lenient(z.string()),
  background: lenient(z.string()),
  usage: lenient(z.record(z.string(), z.unknown())),
  svg_usage: z.unknown().optional(),
});

type ImagesAnswer = z.output<typeof imagesAnswerSchema>;

const IMAGE_FIELDS: ReadonlySet<string> = new Set(['b64_json']);

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
  if (response.usage === undefined) return undefined;
  return response.svg_usage === undefined
    ? { ...response.usage }
    : { ...response.usage, svg_usage: response.svg_usage };
}
