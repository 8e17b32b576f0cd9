import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '@imagegate/contracts';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver got it: raw body, lower-case headers. */
export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** How to answer the `index`-th request (0-based): a status, a redirect, or hold it without answering. */
export type WebhookAnswer = number | { redirect: string } | 'hang';

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Changes how the following requests are answered. */
  answer(plan: (index: number, request: ReceivedWebhook) => WebhookAnswer): void;
  /** Waits until at least `count` requests arrived (or the deadline passes) and returns them all. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Answers every held request with `status` (held requests otherwise wait for the sender's timeout). */
  release(status?: number): void;
  close(): Promise<void>;
}

/** A local webhook receiver on 127.0.0.1 (tests allow-list it through WEBHOOK_ALLOW_HOSTS, e.g. `127.0.0.1:*`). */
export async function startWebhookReceiver(
  plan: (index: number, request: ReceivedWebhook) => WebhookAnswer = () => 200,
): Promise<WebhookReceiver> {
  let answerPlan = plan;
  const received: ReceivedWebhook[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      );
      const webhook: ReceivedWebhook = { headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(webhook);
      const answer = answerPlan(received.length - 1, webhook);
      if (answer === 'hang') {
        held.add(response);
        response.on('close', () => held.delete(response));
      } else if (typeof answer === 'number') {
        response.writeHead(answer, { 'content-type': 'text/plain' }).end(`answered ${answer}`);
      } else {
        response.writeHead(302, { location: answer.redirect }).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    answer(next) {
      answerPlan = next;
    },
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      return received;
    },
    release(status = 200) {
      for (const response of held) response.writeHead(status).end();
      held.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Verifies a received webhook with the `standardwebhooks` package, as a receiver would; throws if it does not verify. */
export function verifyWebhook(secret: string, webhook: Pick<ReceivedWebhook, 'headers' | 'body'>): WebhookEvent {
  return new Webhook(secret).verify(webhook.body, webhook.headers) as WebhookEvent;
}
