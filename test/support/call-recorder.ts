import { createServer, request as httpRequest, type Server } from 'node:http';

/** One upstream call as one worker process made it. */
export interface RecordedCall {
  /** Which worker made it (the label its proxy was opened with). */
  worker: string;
  prompt: string;
  /** When the upstream's answer was handed to the worker (epoch ms). */
  at: number;
  /** The upstream's status, or 0 when the worker left before the answer. */
  status: number;
}

/**
 * A pass-through HTTP proxy per worker process in front of one upstream emulator, so a test knows
 * which process made each call: the emulator alone cannot tell a call lost with a killed worker
 * from a duplicate.
 */
export class CallRecorder {
  readonly calls: RecordedCall[] = [];
  readonly #servers: Server[] = [];
  readonly #upstream: URL;

  /** @param upstreamUrl the emulator's base URL (e.g. `http://127.0.0.1:4010/v1`). */
  constructor(upstreamUrl: string) {
    this.#upstream = new URL(upstreamUrl);
  }

  /** Opens a proxy for `worker`; returns the base URL to give that worker instead of the emulator's. */
  async open(worker: string): Promise<string> {
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        let prompt = '';
        try {
          prompt = String((JSON.parse(body.toString('utf8')) as { prompt?: unknown }).prompt ?? '');
        } catch {}
        const call: RecordedCall = { worker, prompt, at: 0, status: 0 };
        this.calls.push(call);
        const forwarded = httpRequest(
          {
            host: this.#upstream.hostname,
            port: this.#upstream.port,
            path: incoming.url,
            method: incoming.method,
            headers: incoming.headers,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
            outgoing.on('finish', () => {
              call.status = answer.statusCode ?? 0;
              call.at = Date.now();
            });
          },
        );
        forwarded.on('error', () => outgoing.destroy());
        // The worker died: the upstream sees its call aborted, as it would without the proxy.
        outgoing.on('close', () => {
          if (!outgoing.writableFinished) forwarded.destroy();
        });
        forwarded.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#servers.push(server);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    return `http://127.0.0.1:${address.port}${this.#upstream.pathname}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise((resolve) => {
            server.closeAllConnections();
            server.close(resolve);
          }),
      ),
    );
  }
}
