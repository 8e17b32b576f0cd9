/**
 * The peer gateway the sync figures measure imagegate against: Portkey's open-source AI gateway,
 * run from the `@portkey-ai/gateway` package (a dev dependency of bench/) by bench/lib/host.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PeerInfo } from './report.ts';

/** Its version as installed, and how the figures run it. */
export function portkeyPeer(): PeerInfo {
  const manifest = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');
  const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string };
  return {
    name,
    version,
    run_as:
      "its own server (build/start-server.js --port=<free port> --headless, NODE_ENV=production) in a process of its own; requests name the emulator with 'x-portkey-provider: openai' and 'x-portkey-custom-host'",
  };
}
