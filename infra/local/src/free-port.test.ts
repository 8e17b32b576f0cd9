import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, isPortFree } from './free-port.ts';

describe('freePort', () => {
  it('returns a port that can be bound, and isPortFree sees it taken once bound', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await isPortFree(port)).toBe(true);
    const server = createServer();
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    expect(await isPortFree(port)).toBe(false);
    await new Promise((done) => server.close(done));
  });
});
