/**
 * Probe (not a figure; `pnpm bench` does not run it): CPU time to fetch and read one emulator answer
 * with a 1 MiB image (1.3 MiB of JSON) three ways, through one keep-alive undici Agent. It is why the
 * adapters read upstream bodies with undici's `request` (packages/providers/src/upstream-fetch.ts).
 *
 *   node bench/probes/upstream-read.ts [--calls 300]
 */
import { parseArgs } from 'node:util';
import { Agent, request, fetch as undiciFetch } from 'undici';
import { ownCpuMs } from '../lib/machine.ts';
import { startImagegateStack } from '../lib/stack.ts';
import { round } from '../lib/stats.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '300' } } });
const calls = Number(values.calls);
const stack = await startImagegateStack({ latencyMs: 1, imageBytes: 1024 * 1024, pinned: false });
try {
  const dispatcher = new Agent({ connections: 16 });
  const url = `${stack.upstreams.url}/images/generations`;
  const body = JSON.stringify({ model: 'gpt-image-2.6-flare', prompt: 'x', quality: 'low', size: '1024x1024' });
  const headers = { authorization: `Bearer ${stack.emulatorKey}`, 'content-type': 'application/json' };
  const drain = async (chunks: AsyncIterable<Uint8Array> | null) => {
    let bytes = 0;
    for await (const chunk of chunks ?? []) bytes += chunk.byteLength;
    return bytes;
  };
  const ways: [string, () => Promise<number>][] = [
    [
      "Node's global fetch with the Agent",
      async () => drain((await fetch(url, { method: 'POST', body, headers, dispatcher } as RequestInit)).body),
    ],
    [
      "undici's fetch",
      async () =>
        drain(
          (await undiciFetch(url, { method: 'POST', body, headers, dispatcher }))
            .body as AsyncIterable<Uint8Array> | null,
        ),
    ],
    [
      "undici's request (Node stream)",
      async () => drain((await request(url, { method: 'POST', body, headers, dispatcher })).body),
    ],
  ];
  const results: Record<string, number> = {};
  for (const [name, read] of ways) {
    for (let warm = 0; warm < 20; warm++) await read();
    const before = ownCpuMs();
    for (let call = 0; call < calls; call++) await read();
    results[name] = round((ownCpuMs() - before) / calls);
  }
  process.stdout.write(`${JSON.stringify({ probe: 'upstream-read', calls, cpu_ms_per_call: results }, null, 2)}\n`);
} finally {
  await stack.close();
}
