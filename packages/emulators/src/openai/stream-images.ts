import type { ServerResponse } from 'node:http';
import { sleep } from '../http/abortable-wait.ts';
import { usesTokenFormula } from './models.ts';
import type { ReplyContext } from './reply.ts';
import { computeUsage } from './usage.ts';
import type { GenerationRequest } from './validate-generation-request.ts';

/** Output tokens OpenAI bills per partial image (its image generation guide: 100 per partial). */
export const PARTIAL_IMAGE_TOKENS = 100;

/** When each partial went out (epoch ms), by prompt: the streaming benchmark measures from these. */
export const partialSendLog: { prompt: string; index: number; atMs: number }[] = [];
const MAX_LOGGED = 10_000;

/**
 * Answers with OpenAI's image stream: `request.partialImages` partial events spread evenly over the
 * render (`latencyMs`), each a rougher rendering, then one completed event per image, as
 * `event: <type>` / `data: <json>` pairs. `kind` names the events (`image_generation` or `image_edit`).
 * Returns false when the client left before the end.
 */
export async function streamImages(
  res: ServerResponse,
  ctx: ReplyContext,
  options: {
    kind: 'image_generation' | 'image_edit';
    request: GenerationRequest;
    latencyMs: number;
    signal: AbortSignal;
    /** Base64 of the final image, and of partial `index` (cheaper, rougher renders). */
    finalImage: Promise<Buffer>;
    partialImage: (index: number) => Promise<Buffer>;
    count: number;
    inputImageTokens?: number;
  },
): Promise<boolean> {
  const { request, kind } = options;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': ctx.requestId,
    'openai-version': '2020-10-01',
  });
  const common = {
    background: request.background,
    created_at: Math.floor(Date.now() / 1000),
    output_format: request.outputFormat,
    quality: request.quality,
    size: request.size,
  };
  const send = (type: string, fields: Record<string, unknown>, base64: Buffer) => {
    const rest = JSON.stringify({ type, ...common, ...fields });
    res.write(`event: ${type}\ndata: {"b64_json":"`);
    res.write(base64);
    res.write(`",${rest.slice(1)}\n\n`);
  };
  const step = options.latencyMs / (request.partialImages + 1);
  for (let index = 0; index < request.partialImages; index++) {
    const [waited, partial] = await Promise.all([sleep(step, options.signal), options.partialImage(index)]);
    if (!waited) return false;
    send(`${kind}.partial_image`, { partial_image_index: index }, partial);
    partialSendLog.push({ prompt: request.prompt, index, atMs: Date.now() });
    if (partialSendLog.length > MAX_LOGGED) partialSendLog.splice(0, partialSendLog.length - MAX_LOGGED);
  }
  const [waited, image] = await Promise.all([sleep(step, options.signal), options.finalImage]);
  if (!waited) return false;
  const usage = computeUsage(
    request.prompt,
    request.quality,
    request.width,
    request.height,
    1,
    usesTokenFormula(request.model),
  );
  const partialTokens = PARTIAL_IMAGE_TOKENS * request.partialImages;
  const imageTokens = options.inputImageTokens ?? 0;
  for (let each = 0; each < options.count; each++) {
    send(
      `${kind}.completed`,
      {
        usage: {
          ...usage,
          input_tokens: usage.input_tokens + imageTokens,
          input_tokens_details: { ...usage.input_tokens_details, image_tokens: imageTokens },
          output_tokens: usage.output_tokens + partialTokens,
          total_tokens: usage.total_tokens + imageTokens + partialTokens,
        },
        ...(request.safetyIdentifier === null ? {} : { safety_identifier: request.safetyIdentifier }),
      },
      image,
    );
  }
  res.end();
  return true;
}
