import { once } from 'node:events';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '@imagegate/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProviderQueue } from './provider-queue.ts';
import { createRedisConnection } from './redis-connection.ts';
import { createWebhookQueue } from './webhook-queue.ts';

/** A port nothing listens on: Redis as it is once it dropped. */
async function deadPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

describe('queue errors', () => {
  it.each([
    ['provider', createProviderQueue.bind(null, 'openai')],
    ['webhook', createWebhookQueue],
  ])('the %s queue logs an unreachable Redis through our logger, not raw to stderr', async (_name, create) => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'warn', destination });
    const stderr = vi.spyOn(console, 'error');
    const connection = createRedisConnection(`redis://127.0.0.1:${await deadPort()}`);
    cleanups.push(() => connection.disconnect());
    const queue = create({ connection, prefix: 'queue-errors-test', logger });
    cleanups.push(() => queue.close().catch(() => {}));

    const deadline = Date.now() + 5_000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 40, msg: expect.stringMatching(/queue error/) });
    expect(lines[0]).toMatch(/ECONNREFUSED/);
    expect(stderr).not.toHaveBeenCalled();
  });
});
