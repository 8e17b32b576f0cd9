import type { GenerationParameters } from '@imagegate/contracts';

/**
 * The provider adapter contract. An adapter turns normalised parameters into one upstream's wire
 * format and its answer back into image bytes, and maps that upstream's errors onto the core error
 * hierarchy (`retryable` decides whether the worker tries again).
 */

export interface ProviderImageRequest extends GenerationParameters {
  /** The model id the upstream knows (catalog `providerModel`). */
  providerModel: string;
  /**
   * Which of the provider's APIs serves the model (catalog `protocol`): `openai-images`,
   * `vertex-imagen`, `gemini`, `bfl-flux`. One provider may speak several (Google: Imagen and Gemini).
   */
  protocol: string;
  prompt: string;
  /** End-user id forwarded where the upstream takes one. */
  user?: string | undefined;
  /**
   * An edit's inputs, read from the object store by the worker: the request is then an edit, sent
   * in the upstream's edit form. The mask is OpenAI's convention (alpha 0 = the area to change);
   * each adapter converts it to its upstream's.
   */
  inputs?: ProviderEditInputs | undefined;
  /**
   * A chat on a model that converses (Gemini): the turns in order, each with its images, sent as
   * the upstream's own conversation instead of one prompt. The answer may carry text.
   */
  conversation?: ProviderTurn[] | undefined;
  /** In a conversation, whether the model's words are wanted beside its images (default yes). */
  conversationText?: boolean | undefined;
}

/** One turn of a conversation: who spoke, what they said, the images they sent or were sent. */
export interface ProviderTurn {
  role: 'system' | 'user' | 'model';
  text: string;
  images: ProviderInputImage[];
}

/**
 * One input image of an edit: its bytes and what they are (sniffed and decoded at intake). The
 * bytes are a Blob the worker backs with a file, so an upstream that takes multipart streams them
 * from disk and only one that needs them inline (base64 in JSON) holds them in memory.
 */
export interface ProviderInputImage {
  data: Blob;
  /** `image/png`, `image/jpeg` or `image/webp`. */
  mediaType: string;
  width: number;
  height: number;
}

/** An edit's images, in order (a mask applies to the first), and its mask. */
export interface ProviderEditInputs {
  images: ProviderInputImage[];
  mask?: ProviderInputImage | undefined;
}

export interface ProviderImage {
  bytes: Uint8Array;
  /** e.g. `image/png`. */
  mediaType: string;
}

export interface ProviderImageResult {
  images: ProviderImage[];
  /** What the upstream actually applied (never `auto`). */
  size: string;
  quality: string;
  outputFormat: string;
  background: string;
  usage?: Record<string, unknown> | undefined;
  /** Options the upstream could not honour exactly, said rather than silently dropped. */
  warnings: string[];
  /** What the model said beside its images, in a conversation (thoughts left out). */
  text?: string | undefined;
}

/**
 * A task an asynchronous upstream (BFL) accepted: recorded on the job so a redelivered job polls it
 * again instead of paying for a second one.
 */
export interface UpstreamTask {
  id: string;
  /** Polled exactly as the upstream returned it (it may name another regional host). */
  pollingUrl: string;
  /** Epoch ms of the submission (result URLs expire ~10 minutes after completion). */
  submittedAt: number;
}

export interface GenerateOptions {
  signal?: AbortSignal | undefined;
  /** A task this call already submitted on an earlier delivery: poll it rather than submit again. */
  pendingTask?: UpstreamTask | undefined;
  /**
   * Called once an asynchronous upstream accepted a task, before polling it. When it rejects (the
   * database down for a moment) the task is polled all the same and the call is retried beside
   * it until it succeeds or the generation ends: a paid task is never dropped for a failed report.
   */
  onTaskSubmitted?: ((task: UpstreamTask) => Promise<void>) | undefined;
  /**
   * With `request.partialImages`, on an upstream that streams them: each partial image as it
   * arrives (`index` is the upstream's `partial_image_index`). The call waits for it.
   */
  onPartialImage?: ((image: ProviderImage, index: number) => Promise<void>) | undefined;
  /** In a conversation, each piece of the model's text as it streams in; not waited for. */
  onTextDelta?: ((delta: string) => void) | undefined;
  /** Progress an upstream reports while it renders (BFL's polls), in words; not waited for. */
  onProgress?: ((message: string) => void) | undefined;
}

export interface ImageProvider {
  /** The provider name, which is also its queue name suffix (`openai`). */
  readonly name: string;
  /**
   * One upstream call for `request.n` images; the worker never asks for more than the model's
   * per-call limit (it splits larger `n`). Images withheld by an output filter are left out of the
   * result with a warning; a refusal with no image at all throws `ModerationBlockedError`.
   */
  generate(request: ProviderImageRequest, options: GenerateOptions): Promise<ProviderImageResult>;
}

export function mediaTypeOf(format: string): string {
  if (format === 'svg') return 'image/svg+xml';
  return format === 'jpeg' ? 'image/jpeg' : `image/${format}`;
}

/** `image/jpeg` → `jpeg`: the format the bytes are actually in. */
export function formatOfMediaType(mediaType: string): string {
  const subtype = mediaType.toLowerCase().replace(/^image\//, '');
  if (subtype === 'svg+xml') return 'svg';
  return subtype === 'jpg' ? 'jpeg' : subtype;
}
