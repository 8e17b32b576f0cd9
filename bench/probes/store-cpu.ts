/**
 * Probe (not a figure; `pnpm bench` does not run it): CPU per 1 MiB PUT and per GET (read to the
 * end) of the S3 object store, against the in-memory S3 of the figures in a process of its own, as
 * the worker and the ingress make them. `--compare <dir>` also loads `packages/storage` from
 * another checkout (e.g. one before a change) and alternates the two, so both see the same load.
 *
 *   node bench/probes/store-cpu.ts [--puts 200] [--rounds 3] [--compare /path/to/other/checkout]
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ObjectStore, ObjectStoreConfig } from '@imagegate/storage';
import { createObjectStore } from '@imagegate/storage';
import { ownCpuMs } from '../lib/machine.ts';
import { startHost } from '../lib/stack.ts';
import { median, round } from '../lib/stats.ts';

const { values } = parseArgs({
  options: {
    puts: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    compare: { type: 'string' },
  },
});
const puts = Number(values.puts);
const rounds = Number(values.rounds);
const image = randomBytes(1024 * 1024);

const upstreams = await startHost('upstreams', { argument: { latencyMs: 1, imageBytes: 1024 } });
try {
  const s3 = upstreams.s3;
  if (s3 === undefined) throw new Error('the upstreams host did not report S3');
  const config: ObjectStoreConfig = { ...s3, region: 'us-east-1', bucket: `probe-${randomBytes(4).toString('hex')}` };
  const stores: [string, ObjectStore][] = [['this checkout', createObjectStore(config)]];
  if (values.compare !== undefined) {
    const other = (await import(join(values.compare, 'packages/storage/src/index.ts'))) as {
      createObjectStore: typeof createObjectStore;
    };
    stores.push([values.compare, other.createObjectStore(config)]);
  }
  await stores[0]?.[1].ensureBucket();
  const results = stores.map(([name]) => ({ name, put: [] as number[], get: [] as number[] }));
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    for (const [storeIndex, [, store]] of stores.entries()) {
      const row = results[storeIndex];
      if (row === undefined) continue;
      const keys = Array.from({ length: puts }, (_, index) => `jobs/${storeIndex}-${roundIndex}/${index}.png`);
      let before = ownCpuMs();
      // 8 at a time, as the worker's concurrent jobs put their images.
      for (let index = 0; index < puts; index += 8) {
        await Promise.all(
          keys.slice(index, index + 8).map((key) => store.putObject(key, image, { contentType: 'image/png' })),
        );
      }
      row.put.push((ownCpuMs() - before) / puts);
      before = ownCpuMs();
      for (let index = 0; index < puts; index += 8) {
        await Promise.all(
          keys.slice(index, index + 8).map(async (key) => {
            for await (const _chunk of (await store.getObjectStream(key)).stream);
          }),
        );
      }
      row.get.push((ownCpuMs() - before) / puts);
    }
  }
  const summary = Object.fromEntries(
    results.map((row) => [
      row.name,
      {
        put_cpu_ms: round(median(row.put)),
        get_cpu_ms: round(median(row.get)),
        put_rounds: row.put.map(round),
        get_rounds: row.get.map(round),
      },
    ]),
  );
  process.stdout.write(`${JSON.stringify({ probe: 'store-cpu', puts, rounds, stores: summary }, null, 2)}\n`);
  for (const [, store] of stores) store.close();
} finally {
  await upstreams.stop();
}
