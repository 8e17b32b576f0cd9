/**
 * A process the benchmarks fork (so it can be pinned to a core of its own) that hosts one of:
 *
 * - `imagegate`: ingress, provider worker and settlement worker, configured from its environment
 *   exactly as their `main.ts` files configure them, the provider worker in a thread of its own as
 *   `./imagegate.sh start` runs it (`BENCH_PROVIDER_WORKER=in-loop`: in the ingress's event loop,
 *   as before issue 19);
 * - `ingress`, `provider-worker`, `settlement-worker`: one of them alone, configured the same way
 *   (imagegate split into processes as docker-compose.yml runs it);
 * - `portkey`: the peer gateway, `@portkey-ai/gateway`'s own server (`build/start-server.js
 *   --port=<port> --headless`, options as JSON in argv[3]) loaded into this process;
 * - `naive`: the baseline of `image-memory`, a proxy that buffers the upstream answer completely,
 *   parses it, and answers with one `JSON.stringify` of the whole body;
 * - `upstreams`: the OpenAI emulator and S3 (memory-s3.ts, or s3rver with `BENCH_S3=s3rver`;
 *   options as JSON in argv[3]).
 *
 * Over IPC it answers `sample` with its RSS and event-loop delay since the last reset (not measured with
 * `BENCH_EVENT_LOOP_MONITOR=off`), and exits on `stop`. `ready` carries the URLs it serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createLogger } from '@imagegate/core';
import { startOpenAIEmulator } from '@imagegate/emulators';
import { loadIngressConfig, startIngressFromConfig } from '@imagegate/ingress';
import { loadWorkerConfig, startProviderWorkerFromConfig, startProviderWorkerThread } from '@imagegate/provider-worker';
import { loadSettlementConfig, startSettlementWorkerFromConfig } from '@imagegate/settlement-worker';
import { startS3rver } from '@imagegate/testing';
import { ownCpuMs } from './machine.ts';
import { startMemoryS3 } from './memory-s3.ts';

export type HostMode =
  | 'imagegate'
  | 'ingress'
  | 'provider-worker'
  | 'settlement-worker'
  | 'naive'
  | 'portkey'
  | 'upstreams';

export type HostMessage =
  | { type: 'ready'; url: string; s3?: { endpoint: string; accessKeyId: string; secretAccessKey: string } }
  | { type: 'sample'; rssBytes: number; eventLoopP99Ms: number; eventLoopMaxMs: number; cpuMs: number };

/** `sample` with `gc` collects garbage first (the host runs with --expose-gc). */
export type ParentMessage = { type: 'sample'; reset: boolean; gc: boolean } | { type: 'stop' };

const send = (message: HostMessage) => process.send?.(message);

type Started = { url: string; close: () => Promise<void> };

async function startImagegate(): Promise<Started> {
  const env = process.env;
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'silent' });
  const worker =
    env.BENCH_PROVIDER_WORKER === 'in-loop'
      ? await startProviderWorkerFromConfig(loadWorkerConfig(env), logger)
      : await startProviderWorkerThread(env, { logLevel: env.LOG_LEVEL ?? 'silent' });
  const settlement = await startSettlementWorkerFromConfig(loadSettlementConfig(env), logger);
  const ingress = await startIngressFromConfig(loadIngressConfig(env), logger);
  return {
    url: ingress.url,
    close: async () => {
      await ingress.close();
      await worker.close();
      await settlement.close();
    },
  };
}

/** One service of imagegate alone, as its `main.ts` starts it (the split topology). */
async function startService(mode: 'ingress' | 'provider-worker' | 'settlement-worker'): Promise<Started> {
  const env = process.env;
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'silent' });
  if (mode === 'ingress') return startIngressFromConfig(loadIngressConfig(env), logger);
  const service =
    mode === 'provider-worker'
      ? await startProviderWorkerFromConfig(loadWorkerConfig(env), logger)
      : await startSettlementWorkerFromConfig(loadSettlementConfig(env), logger);
  // Workers serve no URL; the ingress's is the deployment's.
  return { url: '', close: service.close };
}

/**
 * The peer: Portkey's own Node server, as `npx @portkey-ai/gateway --port=<port> --headless` runs it
 * (its module reads those from argv and listens when loaded). It keeps nothing between requests.
 */
async function startPortkey(options: { port: number }): Promise<Started> {
  const manifest = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');
  process.argv.push(`--port=${options.port}`, '--headless');
  await import(pathToFileURL(join(dirname(manifest), 'build', 'start-server.js')).href);
  // It exposes no way to close its server; the host exits instead.
  return { url: `http://127.0.0.1:${options.port}`, close: async () => {} };
}

/** The baseline: everything in memory at once, the way a first version would write it. */
async function startNaive(): Promise<Started> {
  const upstream = new URL(`${process.env.UPSTREAM_URL ?? ''}/images/generations`);
  const server = createServer((incoming, outgoing) => {
    const body: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => body.push(chunk));
    incoming.on('end', () => {
      const call = httpRequest(
        upstream,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${process.env.UPSTREAM_KEY ?? ''}`, 'content-type': 'application/json' },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { b64_json: string }[] };
            const images = parsed.data.map((image) => Buffer.from(image.b64_json, 'base64'));
            const reply = JSON.stringify({
              created: Math.floor(Date.now() / 1000),
              data: images.map((image) => ({ b64_json: image.toString('base64') })),
            });
            outgoing.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
            outgoing.end(reply);
          });
        },
      );
      call.on('error', () => outgoing.writeHead(502).end());
      call.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** S3 for the figures: the in-memory stand-in (default), or s3rver with `BENCH_S3=s3rver`. */
async function startS3(): Promise<{
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}> {
  if (process.env.BENCH_S3 !== 's3rver') return startMemoryS3();
  const directory = mkdtempSync(join(tmpdir(), 'imagegate-bench-s3-'));
  const s3 = await startS3rver({ dataDir: directory, silent: true });
  return {
    ...s3,
    close: async () => {
      await s3.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function startUpstreams(options: { latencyMs: number; imageBytes: number }) {
  const emulator = await startOpenAIEmulator({ latencyMs: options.latencyMs, imageBytes: options.imageBytes });
  const s3 = await startS3();
  return {
    url: emulator.url,
    s3: { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    close: async () => {
      await emulator.close();
      await s3.close();
    },
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2] as HostMode;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  // Its timer wakes the process 200 times a second: off where the host's CPU time is what is measured.
  if (process.env.BENCH_EVENT_LOOP_MONITOR !== 'off') delay.enable();
  const options = JSON.parse(process.argv[3] ?? '{}');
  const started: Started & { s3?: Extract<HostMessage, { type: 'ready' }>['s3'] } =
    mode === 'imagegate'
      ? await startImagegate()
      : mode === 'ingress' || mode === 'provider-worker' || mode === 'settlement-worker'
        ? await startService(mode)
        : mode === 'naive'
          ? await startNaive()
          : mode === 'portkey'
            ? await startPortkey(options)
            : await startUpstreams(options);
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'sample') {
      if (message.gc) globalThis.gc?.();
      send({
        type: 'sample',
        rssBytes: process.memoryUsage.rss(),
        eventLoopP99Ms: delay.percentile(99) / 1e6,
        eventLoopMaxMs: delay.max / 1e6,
        cpuMs: ownCpuMs(),
      });
      if (message.reset) delay.reset();
    } else {
      void started.close().finally(() => process.exit(0));
    }
  });
  // A benchmark that dies (Ctrl-C, a closed pipe) must not leave its hosts running.
  process.once('disconnect', () => {
    void started.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(1), 5_000).unref();
  });
  send({ type: 'ready', url: started.url, s3: started.s3 });
}

await main();
