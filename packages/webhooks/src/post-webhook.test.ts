import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostResolver } from './host-resolver.ts';
import { postWebhook, readAnswerExcerpt } from './post-webhook.ts';
import { createWebhookUrlPolicy } from './webhook-url-policy.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A receiver on 127.0.0.1; `hits` counts the requests it got. */
async function receiver(listener: RequestListener): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits++;
    listener(request, response);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

const toLoopback: HostResolver = async () => [{ address: '127.0.0.1', family: 4 }];
// Every port of 127.0.0.1: each test's receiver listens on a port of its own.
const policy = createWebhookUrlPolicy({ allowHosts: '127.0.0.1:*', resolveHost: toLoopback });
const message = { body: '{"type":"image.job.succeeded"}', headers: { 'webhook-id': 'whd_1' } };

describe('postWebhook', () => {
  it('delivers on a 2xx', async () => {
    const seen: { body: string; headers: Record<string, unknown> }[] = [];
    const { port } = await receiver((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        seen.push({ body, headers: request.headers });
        response.writeHead(202).end('queued for processing');
      });
    });
    const outcome = await postWebhook(`http://127.0.0.1:${port}/hook`, message, { policy, timeoutMs: 2_000 });
    expect(outcome).toMatchObject({
      delivered: true,
      statusCode: 202,
      error: null,
    });
    expect(seen).toEqual([
      {
        body: message.body,
        headers: expect.objectContaining({ 'content-type': 'application/json', 'webhook-id': 'whd_1' }),
      },
    ]);
  });

  it('keeps status and timing but no answer body from an allow-listed private address', async () => {
    const { port } = await receiver((_request, response) => response.writeHead(500).end('admin secrets'));
    const outcome = await postWebhook(`http://127.0.0.1:${port}/`, message, { policy, timeoutMs: 2_000 });
    expect(outcome).toMatchObject({ delivered: false, statusCode: 500, error: 'HTTP 500', responseExcerpt: null });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses a port other than 443/80 of a bare allow-listed host', async () => {
    const { port, hits } = await receiver((_request, response) => response.end('admin secrets'));
    const bare = createWebhookUrlPolicy({ allowHosts: '127.0.0.1, localhost', resolveHost: toLoopback });
    for (const url of [`http://127.0.0.1:${port}/`, `https://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
      const outcome = await postWebhook(url, message, { policy: bare, timeoutMs: 2_000 });
      expect(outcome).toMatchObject({ delivered: false, statusCode: null, responseExcerpt: null });
    }
    expect(hits()).toBe(0);
  });

  it('reads only the start of an answer that never ends', async () => {
    const { port } = await receiver((_request, response) => {
      response.writeHead(200);
      const timer = setInterval(() => response.write('y'.repeat(64 * 1024)), 5);
      response.on('close', () => clearInterval(timer));
    });
    const outcome = await postWebhook(`http://127.0.0.1:${port}/`, message, { policy, timeoutMs: 5_000 });
    expect(outcome).toMatchObject({ delivered: true, statusCode: 200 });
    expect(outcome.durationMs).toBeLessThan(1_000);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await receiver((_request, response) => response.end());
    const { port } = await receiver((_request, response) =>
      response.writeHead(307, { location: `http://127.0.0.1:${elsewhere.port}/` }).end(),
    );
    const outcome = await postWebhook(`http://127.0.0.1:${port}/`, message, { policy, timeoutMs: 2_000 });
    expect(outcome).toMatchObject({ delivered: false, statusCode: 307, error: expect.stringMatching(/not followed/) });
    expect(elsewhere.hits()).toBe(0);
  });

  it('gives up when no answer comes in time', async () => {
    const { port } = await receiver(() => {});
    const outcome = await postWebhook(`http://127.0.0.1:${port}/`, message, { policy, timeoutMs: 300 });
    expect(outcome).toMatchObject({ delivered: false, statusCode: null, error: 'no answer within 300 ms' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('stops when its signal aborts', async () => {
    const { port } = await receiver(() => {});
    const outcome = await postWebhook(`http://127.0.0.1:${port}/`, message, {
      policy,
      timeoutMs: 5_000,
      signal: AbortSignal.timeout(100),
    });
    expect(outcome).toMatchObject({ delivered: false, statusCode: null });
  });

  it('refuses, without connecting, a host whose DNS now points at loopback', async () => {
    const target = await receiver((_request, response) => response.end());
    const outcome = await postWebhook(`https://rebound.example:${target.port}/hook`, message, {
      policy,
      timeoutMs: 2_000,
    });
    expect(outcome).toMatchObject({ delivered: false, statusCode: null });
    expect(outcome.error).toMatch(/loopback address \('rebound.example' resolves to 127.0.0.1\)/);
    expect(target.hits()).toBe(0);
  });

  it.each([
    ['a loopback literal not allow-listed', 'https://127.0.0.2:1/'],
    ['plain http to a host not allow-listed', 'http://hooks.example.com/'],
  ])('refuses %s', async (_case, url) => {
    const outcome = await postWebhook(url, message, { policy, timeoutMs: 2_000 });
    expect(outcome).toMatchObject({ delivered: false, statusCode: null, error: expect.stringMatching(/webhook_url/) });
  });
});

describe('readAnswerExcerpt', () => {
  it('keeps at most 256 characters of what it reads', async () => {
    const { port } = await receiver((_request, response) => response.writeHead(500).end('x'.repeat(5_000)));
    const response = await new Promise<IncomingMessage>((resolve) => get(`http://127.0.0.1:${port}/`, resolve));
    expect(await readAnswerExcerpt(response, 1024)).toBe('x'.repeat(256));
    response.destroy();
  });
});
