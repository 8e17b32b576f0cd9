import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamAgent } from './upstream-agent.ts';
import { createUpstreamFetch, nodeBodyOf } from './upstream-fetch.ts';

const large = randomBytes(3 * 1024 * 1024);
let server: Server;
let base: string;
const upstreamFetch = createUpstreamFetch(createUpstreamAgent({ connections: 4 }));

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/large') return response.end(large);
      if (request.url === '/echo') {
        response.setHeader('content-type', 'application/json');
        response.setHeader('set-cookie', ['a=1', 'b=2']);
        return response.end(
          JSON.stringify({
            method: request.method,
            auth: request.headers.authorization,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      }
      if (request.url === '/moved') {
        response.writeHead(302, { location: '/echo' });
        return response.end();
      }
      if (request.url === '/empty') {
        response.writeHead(204);
        return response.end();
      }
      // /hang: never answers.
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('createUpstreamFetch', () => {
  it('hands the whole body over as a Node stream, nothing read ahead', async () => {
    const response = await upstreamFetch(`${base}/large`);
    const stream = nodeBodyOf(response);
    expect(stream).toBeDefined();
    const chunks: Buffer[] = [];
    for await (const chunk of stream ?? []) chunks.push(chunk as Buffer);
    expect(Buffer.compare(Buffer.concat(chunks), large)).toBe(0);
  });

  it('reads the same body through the Response too (as the SDK reads error answers)', async () => {
    const response = await upstreamFetch(`${base}/large`);
    expect(Buffer.compare(Buffer.from(await response.arrayBuffer()), large)).toBe(0);
  });

  it('sends the method, headers and body, and answers with the status and every header', async () => {
    const response = await upstreamFetch(new URL(`${base}/echo`), {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer sk-test', 'content-type': 'application/json' }),
      body: '{"prompt":"a cube"}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ method: 'POST', auth: 'Bearer sk-test', body: '{"prompt":"a cube"}' });
  });

  it('does not follow redirects, and gives a 204 no body', async () => {
    const moved = await upstreamFetch(`${base}/moved`);
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/echo');
    const empty = await upstreamFetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('rejects with an AbortError when the signal fires (what the SDK looks for)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(upstreamFetch(`${base}/hang`, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
