import { AbortedError, type GatewayError, toGatewayError, UpstreamError } from '@imagegate/core';
import type { ImageProvider, ProviderImage, ProviderImageRequest, ProviderImageResult, UpstreamTask } from './spec.ts';

export interface GenerateInCallsOptions {
  /** Most images one upstream call makes (catalog `maxImagesPerCall`). */
  imagesPerCall: number;
  signal?: AbortSignal | undefined;
  /** Tasks earlier deliveries of this job submitted, by call index. */
  pendingTasks?: Readonly<Record<string, UpstreamTask>> | undefined;
  onTaskSubmitted?: ((index: number, task: UpstreamTask) => Promise<void>) | undefined;
  /** Each partial image of call `call` as it arrives (streaming). */
  onPartialImage?: ((call: number, image: ProviderImage, index: number) => Promise<void>) | undefined;
  /**
   * Each call's result as soon as that call succeeds, before the others finish (streaming stores
   * and announces each image as it is done). A failure here fails the call.
   */
  onCallDone?: ((call: number, result: ProviderImageResult) => Promise<void>) | undefined;
  /** The model's text as it streams in (a conversation makes one call). */
  onTextDelta?: ((delta: string) => void) | undefined;
  /** What call `call`'s upstream says of its progress. */
  onProgress?: ((call: number, message: string) => void) | undefined;
  /** Runs each upstream call (its index, the call): where the worker times, counts and traces calls. */
  aroundCall?: (<T>(index: number, call: () => Promise<T>) => Promise<T>) | undefined;
}

const justCall = <T>(_index: number, call: () => Promise<T>): Promise<T> => call();

/** How `n` images split into calls of at most `perCall`: 10 by 4 → [4, 4, 2]. */
export function splitIntoCalls(n: number, perCall: number): number[] {
  const calls: number[] = [];
  for (let left = n; left > 0; left -= perCall) calls.push(Math.min(left, perCall));
  return calls;
}

/**
 * `request.n` images from as many upstream calls as the model needs, made concurrently and
 * gathered in order. When some calls fail the images that did arrive are delivered (and only they
 * are billed) with a warning; when all fail, the most telling error is thrown (one that retrying
 * cannot fix, such as a moderation refusal, before a transient one).
 */
export async function generateInCalls(
  provider: ImageProvider,
  request: ProviderImageRequest,
  options: GenerateInCallsOptions,
): Promise<ProviderImageResult> {
  const { onTaskSubmitted, onPartialImage, onCallDone, onProgress, onTextDelta, aroundCall = justCall } = options;
  const calls = splitIntoCalls(request.n, Math.max(1, options.imagesPerCall));
  const settled = await Promise.allSettled(
    calls.map(async (n, index) => {
      const result = await aroundCall(index, () =>
        provider.generate(
          { ...request, n },
          {
            signal: options.signal,
            pendingTask: options.pendingTasks?.[String(index)],
            onTaskSubmitted: onTaskSubmitted && ((task) => onTaskSubmitted(index, task)),
            onPartialImage: onPartialImage && ((image, partial) => onPartialImage(index, image, partial)),
            onProgress: onProgress && ((message) => onProgress(index, message)),
            onTextDelta,
          },
        ),
      );
      await onCallDone?.(index, result);
      return result;
    }),
  );
  // A cancel that lands after some calls finished still cancels: a canceled job is never charged.
  if (options.signal?.aborted) throw new AbortedError();
  const results = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failures = settled.flatMap((outcome) =>
    outcome.status === 'rejected' ? [toGatewayError(outcome.reason)] : [],
  );
  const first = results[0];
  if (first === undefined || results.every((result) => result.images.length === 0)) {
    throw mostTelling(failures) ?? new UpstreamError('The upstream returned no images.', { retryable: true });
  }
  if (calls.length === 1) return first;

  const warnings = [...new Set(results.flatMap((result) => result.warnings))];
  const images = results.flatMap((result) => result.images);
  if (failures.length > 0) {
    const codes = [...new Set(failures.map((failure) => failure.code ?? failure.type))].join(', ');
    warnings.push(
      `${images.length} of ${request.n} images were delivered: ${failures.length} of ${calls.length} upstream calls failed (${codes}).`,
    );
  }
  return { ...first, images, usage: sumUsage(results), warnings };
}

function mostTelling(failures: GatewayError[]): GatewayError | undefined {
  return failures.find((failure) => !failure.retryable) ?? failures[0];
}

/** Token counts add up across calls; anything that is not a number is taken from the first call. */
function sumUsage(results: ProviderImageResult[]): Record<string, unknown> | undefined {
  const usages = results.flatMap((result) => (result.usage ? [result.usage] : []));
  if (usages.length === 0) return undefined;
  const total: Record<string, unknown> = { ...usages[0] };
  for (const usage of usages.slice(1)) {
    for (const [key, value] of Object.entries(usage)) {
      if (typeof value === 'number' && typeof total[key] === 'number') total[key] = (total[key] as number) + value;
    }
  }
  return total;
}
