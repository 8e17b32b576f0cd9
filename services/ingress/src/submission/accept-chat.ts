import { type CatalogModel, editCapabilitiesOf, resolveEditParameters, resolveParameters } from '@imagegate/catalog';
import type { ChatMessage, ChatRequest } from '@imagegate/contracts';
import { GatewayError, InvalidRequestError } from '@imagegate/core';
import { discardInputsUnlessRecorded } from '../inputs/discard-inputs.ts';
import { ownImageReader } from '../inputs/own-image.ts';
import { readJsonEditImages } from '../inputs/read-json-edit-images.ts';
import { inputImageOf, type StoredInputImage } from '../inputs/store-input-image.ts';
import { routeEntriesOf, stepParameters } from './accept-generation.ts';
import { type Acceptance, type Answering, acceptJob, firstStep, type SubmissionDeps } from './accept-job.ts';
import { planRoute } from './plan-route.ts';

/** A message's text parts, joined. */
function textOf(message: ChatMessage): string {
  const { content } = message;
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

/**
 * A message's images, with the request path each came in (for errors that name it): a user's
 * `image_url` parts, and an assistant's `images` sent back from an earlier answer.
 */
function imagePartsOf(message: ChatMessage, at: number): { url: string; param: string }[] {
  const parts = typeof message.content === 'object' && message.content !== null ? message.content : [];
  const inContent = parts.flatMap((part, index) =>
    part.type === 'image_url'
      ? [{ url: part.image_url.url, param: `messages[${at}].content[${index}].image_url.url` }]
      : [],
  );
  const returned =
    message.role === 'assistant'
      ? (message.images ?? []).map((image, index) => ({
          url: image.image_url.url,
          param: `messages[${at}].images[${index}].image_url.url`,
        }))
      : [];
  return [...inContent, ...returned];
}

/** Most images a conversation may carry, all turns together. */
const MAX_CONVERSATION_IMAGES = 16;

/**
 * Accepts `POST /v1/chat/completions` for an image model: the last user message's text is the
 * prompt and its images (data: or https URLs, stored under the job like an edit's) the inputs,
 * so an image in the message makes it an edit with the edit rules; the conversation before it is
 * kept on the job as text. Then it is recorded, held, enqueued and waited for like any job.
 */
export async function acceptChat(
  deps: SubmissionDeps,
  submission: {
    jobId: string;
    accountId: string;
    body: ChatRequest;
    rawBody: unknown;
    idempotencyKey: string | undefined;
  },
  answering: Answering,
): Promise<{ acceptance: Acceptance; stored: string[] }> {
  const { body, jobId } = submission;
  if (body.modalities !== undefined && !body.modalities.includes('image')) {
    throw new InvalidRequestError('imagegate answers with images: modalities must include "image".', {
      param: 'modalities',
    });
  }
  const at = body.messages.findLastIndex((message) => message.role === 'user');
  const last = body.messages[at];
  if (last === undefined) {
    throw new InvalidRequestError('messages needs a user message: its text is the image prompt.', {
      param: 'messages',
    });
  }
  const prompt = textOf(last).trim();
  if (prompt === '') {
    throw new InvalidRequestError('The last user message needs text: it is the image prompt.', {
      param: `messages[${at}].content`,
    });
  }
  const primary = resolveImageModel(deps, body.model);
  // Every image of the conversation is stored (a conversing model sees them all); the last user
  // message's are an image-only model's edit inputs.
  const perMessage = body.messages.map((message, index) => imagePartsOf(message, index));
  const parts = perMessage.flat();
  if (parts.length > MAX_CONVERSATION_IMAGES) {
    throw new InvalidRequestError(`A conversation may carry at most ${MAX_CONVERSATION_IMAGES} images.`, {
      param: parts[MAX_CONVERSATION_IMAGES]?.param ?? 'messages',
    });
  }
  let images: StoredInputImage[] = [];
  if (parts.length > 0) {
    try {
      images = (
        await readJsonEditImages(
          { images: parts.map((part) => ({ image_url: part.url })) },
          {
            store: deps.store,
            jobId,
            maxImages: MAX_CONVERSATION_IMAGES,
            maxInputImageBytes: deps.settings.maxInputImageBytes,
            urlPolicy: deps.webhookUrlPolicy,
            fetchTimeoutMs: deps.settings.imageFetchTimeoutMs,
            ownImage: ownImageReader(deps, submission.accountId),
          },
        )
      ).images;
    } catch (error) {
      throw renamedParam(error, (param) => parts[Number(/^images\[(\d+)\]/.exec(param)?.[1])]?.param ?? param);
    }
  }
  const stored = images.map((image) => image.key);
  // Refused from here on before a job was recorded: the images stored above go.
  try {
    const sized = sizeFromImageConfig(primary, body);
    const requested = {
      prompt,
      n: body.n,
      size: sized.size,
      aspect_ratio: sized.aspectRatio,
      user: body.user,
      providerOptions: body.providerOptions,
      providerOptionsField: body.providerOptionsField,
      stream: body.stream,
    };
    const editors = deps.catalog.models.filter((model) => model.capabilities.edits !== false);
    const before = perMessage.slice(0, at).reduce((sum, each) => sum + each.length, 0);
    const lastImages = images.slice(before, before + (perMessage[at]?.length ?? 0));
    const shapes = {
      images: lastImages.map((image, index) => ({
        width: image.width,
        height: image.height,
        param: perMessage[at]?.[index]?.param ?? 'messages',
      })),
    };
    const ignoredWarning = [
      ...(body.ignored.length === 0
        ? []
        : [`Ignored (an image model has no use for them): ${body.ignored.join(', ')}.`]),
      ...sized.warnings,
    ];
    const route = planRoute(
      deps.catalog,
      primary,
      (model) => {
        // Gemini converses: every image goes along as context, up to its reference-image limit.
        const converses = model.protocol === 'gemini';
        if (converses && images.length > 0) {
          const capabilities = editCapabilitiesOf(model, editors);
          if (images.length > capabilities.maxInputImages) {
            throw new InvalidRequestError(
              `${model.id} takes at most ${capabilities.maxInputImages} images in a conversation.`,
              { param: parts[capabilities.maxInputImages]?.param ?? 'messages' },
            );
          }
        }
        const resolved =
          lastImages.length > 0 && !converses
            ? resolveEditParameters(
                model,
                editCapabilitiesOf(model, editors),
                requested,
                shapes,
                deps.catalog.providerOptions,
              )
            : resolveParameters(model, requested, deps.catalog.providerOptions);
        return { ...resolved, warnings: [...ignoredWarning, ...resolved.warnings] };
      },
      body.fallbacks && { names: body.fallbacks, param: body.fallbacksField },
      (provider) => deps.queues.has(provider),
    );
    const acceptance = await acceptJob(
      deps,
      {
        jobId,
        accountId: submission.accountId,
        route,
        pricingInputs: {
          prompt: body.messages.map(textOf).join('\n'),
          inputImages: primary.protocol === 'gemini' ? images : lastImages,
        },
        operationFor: (webhookUrl) => ({
          operation: 'chat' as const,
          request: {
            model: body.model,
            prompt,
            n: firstStep(route).parameters.n,
            size: firstStep(route).parameters.size,
            ...(body.imageConfig?.aspect_ratio === undefined ? {} : { aspect_ratio: body.imageConfig.aspect_ratio }),
            ...(body.imageConfig?.response_format === undefined
              ? {}
              : { response_format: body.imageConfig.response_format }),
            ...(body.user === undefined ? {} : { user: body.user }),
            ...(body.stream === undefined ? {} : { stream: body.stream }),
            ...(body.providerOptions === undefined ? {} : { providerOptions: body.providerOptions }),
            ...(route.length > 1 ? { fallbacks: route.slice(1).map((step) => step.model.id) } : {}),
            ...(webhookUrl === undefined ? {} : { webhook_url: webhookUrl }),
            messages: body.messages.map((message, index) => ({
              role: message.role,
              text: textOf(message),
              images: perMessage[index]?.length ?? 0,
            })),
            ...(images.length === 0
              ? {}
              : {
                  images: images.map(inputImageOf),
                }),
            ...(body.includeUsage ? { include_usage: true } : {}),
            ...(body.modalities === undefined ? {} : { modalities: body.modalities }),
            ...(body.ignored.length === 0 ? {} : { ignored: body.ignored }),
          },
          parameters: stepParameters(route, 0),
          route: routeEntriesOf(route),
        }),
        responseFormat: body.imageConfig?.response_format ?? 'b64_json',
        metadata: body.metadata,
        webhookUrl: body.webhookUrl,
        rawBody: submission.rawBody,
        idempotencyKey: submission.idempotencyKey,
      },
      answering,
    );
    return { acceptance, stored };
  } catch (error) {
    await discardInputsUnlessRecorded(deps, jobId, stored).catch(() => {});
    throw error;
  }
}

/**
 * OpenRouter's `image_config.image_size` (`1K`, `2K`, `4K`) with its `aspect_ratio`, as the size of
 * the requested model's matching option; on a model without resolution classes it is ignored with
 * a warning. An explicit `size` wins.
 */
function sizeFromImageConfig(
  model: CatalogModel,
  body: ChatRequest,
): { size: string | undefined; aspectRatio: string | undefined; warnings: string[] } {
  const aspectRatio = body.imageConfig?.aspect_ratio;
  const imageSize = body.imageConfig?.image_size;
  if (imageSize === undefined || body.size !== undefined) return { size: body.size, aspectRatio, warnings: [] };
  const sizes = model.capabilities.sizes;
  if (sizes.mode !== 'aspect') {
    return {
      size: undefined,
      aspectRatio,
      warnings: [`image_size applies to models sized by resolution class; ${model.id} is not, so it was ignored.`],
    };
  }
  const defaultRatio = sizes.options.find((option) => option.size === sizes.default)?.aspectRatio;
  const option = sizes.options.find(
    (candidate) =>
      candidate.imageSize?.toUpperCase() === imageSize.toUpperCase() &&
      candidate.aspectRatio === (aspectRatio ?? defaultRatio),
  );
  if (option === undefined) {
    throw new InvalidRequestError(
      `${model.id} has no ${imageSize} size at aspect ratio ${aspectRatio ?? defaultRatio}.`,
      { param: 'image_config.image_size' },
    );
  }
  return { size: option.size, aspectRatio: undefined, warnings: [] };
}

/** The catalog's model for `name`; a name it does not know is not an image model (400, naming some that are). */
function resolveImageModel(deps: SubmissionDeps, name: string): CatalogModel {
  try {
    return deps.catalog.resolve(name);
  } catch (error) {
    if (!(error instanceof GatewayError) || error.code !== 'model_not_found') throw error;
    const some = deps.catalog
      .available()
      .slice(0, 6)
      .map((model) => model.id);
    throw new InvalidRequestError(
      `imagegate serves image models; '${name}' is not one. Models that answer on chat: ${some.join(', ')} (GET /v1/models lists them all).`,
      { param: 'model', code: 'model_not_supported' },
    );
  }
}

/** The same error naming the request part as the chat request spells it. */
function renamedParam(error: unknown, rename: (param: string) => string): unknown {
  if (!(error instanceof GatewayError) || error.param === null) return error;
  return new GatewayError(error.status, error.type, error.message.replace(error.param, rename(error.param)), {
    param: rename(error.param),
    code: error.code ?? undefined,
    cause: error,
  });
}
