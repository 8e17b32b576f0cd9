import type { Readable } from 'node:stream';
import type { Response } from 'express';

/** A comment line at least this often while nothing else is sent, so idle proxies keep the connection. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

const eventLine = (name: string | undefined): string => (name === undefined ? '' : `event: ${name}\n`);

/** Base64 of a stream in pieces aligned to 3 bytes, so the pieces concatenate into one valid string. */
async function* base64Pieces(stream: Readable): AsyncGenerator<string> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    const bytes: Buffer = carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([carry, chunk]);
    const whole = bytes.length - (bytes.length % 3);
    if (whole > 0) yield bytes.subarray(0, whole).toString('base64');
    carry = bytes.subarray(whole);
  }
  if (carry.length > 0) yield carry.toString('base64');
}

/**
 * Server-sent events on an express response: named events whose JSON may carry one base64 field
 * streamed from a Node stream (an image read from the object store, never whole in memory),
 * comments, and a keep-alive comment whenever nothing was written for `keepAliveMs`. Events and
 * comments go out one at a time, in the order asked (never one inside another), and writes wait
 * for the socket to drain. Used by every streamed answer (images now, chat completions next).
 */
export class SseWriter {
  readonly #response: Response;
  readonly #keepAlive: NodeJS.Timeout;
  #lastWriteAt = Date.now();
  /** The operations in order: each starts when the one before it has written everything. */
  #chain: Promise<void> = Promise.resolve();
  /** Operations asked for and not yet written. */
  #pending = 0;

  constructor(response: Response, headers: Record<string, string>, keepAliveMs = DEFAULT_KEEP_ALIVE_MS) {
    this.#response = response;
    response.status(200);
    response.set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      ...headers,
    });
    response.flushHeaders();
    this.#keepAlive = setInterval(
      () => {
        // Not while something is still being written (a slow client): comments would pile up behind it.
        if (this.#pending === 0 && Date.now() - this.#lastWriteAt >= keepAliveMs) void this.comment('keep-alive');
      },
      Math.max(10, Math.min(keepAliveMs, 1_000)),
    );
    this.#keepAlive.unref();
    response.on('close', () => clearInterval(this.#keepAlive));
  }

  get closed(): boolean {
    return this.#response.destroyed || this.#response.writableEnded;
  }

  /** `: text` — ignored by SSE clients (the OpenAI SDK's iterator included). */
  comment(text: string): Promise<void> {
    return this.#inOrder(() => this.#write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`));
  }

  /** `event: <name>` with `fields` as JSON; `base64`, when given, is streamed into its field. */
  event(
    name: string,
    fields: Record<string, unknown>,
    base64?: { field: string; open: () => Promise<Readable> },
  ): Promise<void> {
    if (base64 === undefined) return this.data(fields, name);
    const rest = JSON.stringify(fields);
    return this.dataWithBase64(
      {
        head: `{${JSON.stringify(base64.field)}:"`,
        tail: rest === '{}' ? '"}' : `",${rest.slice(1)}`,
        open: base64.open,
      },
      name,
    );
  }

  /** `data: <json>` (after `event: <name>` when named; chat completion chunks are not). */
  data(value: unknown, name?: string): Promise<void> {
    return this.#inOrder(() => this.#write(`${eventLine(name)}data: ${JSON.stringify(value)}\n\n`));
  }

  /** `data: [DONE]`, the end marker of OpenAI's chat completion streams. */
  done(): Promise<void> {
    return this.#inOrder(() => this.#write('data: [DONE]\n\n'));
  }

  /**
   * A data line whose JSON carries base64 streamed from `open()`'s stream: `head` (JSON text up to
   * the opening quote of the string), the base64, then `tail` (from the closing quote on).
   */
  dataWithBase64(base64: { head: string; tail: string; open: () => Promise<Readable> }, name?: string): Promise<void> {
    return this.#inOrder(async () => {
      // Opened before the first byte, so a missing object fails the event, not the stream mid-line.
      const source = await base64.open();
      try {
        await this.#write(`${eventLine(name)}data: ${base64.head}`);
        for await (const piece of base64Pieces(source)) await this.#write(piece);
        await this.#write(`${base64.tail}\n\n`);
      } catch (error) {
        // A line cut in the middle cannot be mended: the client sees the stream end, not bad JSON.
        this.#response.destroy(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    });
  }

  /** Ends the response once everything asked before is written. */
  end(): Promise<void> {
    clearInterval(this.#keepAlive);
    return this.#inOrder(async () => {
      if (!this.closed) this.#response.end();
    });
  }

  #inOrder(operation: () => Promise<void>): Promise<void> {
    this.#pending++;
    const next = this.#chain.then(operation).finally(() => {
      this.#pending--;
    });
    this.#chain = next.catch(() => {});
    return next;
  }

  async #write(text: string): Promise<void> {
    if (this.closed) return;
    this.#lastWriteAt = Date.now();
    if (!this.#response.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#response.off('drain', done);
          this.#response.off('close', done);
          resolve();
        };
        this.#response.on('drain', done);
        this.#response.on('close', done);
      });
    }
  }
}
