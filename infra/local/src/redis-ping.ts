import { Redis } from 'ioredis';

/**
 * Resolves when the Redis at `url` answers PING within `timeoutMs` (ms); otherwise rejects with
 * the reason (refused, timeout, auth…). Never retries: this is a probe.
 */
export async function pingRedis(url: string, timeoutMs: number): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  // Errors also arrive as events; without a listener ioredis logs them to the console.
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        const reply = await client.ping();
        if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw err instanceof Error ? err : new Error(String(lastError ?? err));
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
