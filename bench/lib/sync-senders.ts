import type { Agent } from 'node:http';
import { postJson } from './http-client.ts';

/** One sync generation, sent straight to the emulator or through imagegate (`response_format=url`). */
export interface SyncSenders {
  sendDirect(): Promise<boolean>;
  sendGateway(): Promise<boolean>;
}

/** The same small request both ways: the pair every sync figure compares. Resolves true on a 200. */
export function syncSenders(
  agent: Agent,
  targets: { emulatorUrl: string; emulatorKey: string; imagegateUrl: string; apiKey: string },
): SyncSenders {
  const request = { model: 'gpt-image-1-mini', prompt: 'a small red cube', quality: 'low', size: '1024x1024' };
  const direct = new URL(`${targets.emulatorUrl}/images/generations`);
  const gateway = new URL(`${targets.imagegateUrl}/v1/images/generations`);
  const directBody = JSON.stringify(request);
  const gatewayBody = JSON.stringify({ ...request, response_format: 'url' });
  return {
    sendDirect: async () =>
      (await postJson(agent, direct, directBody, { authorization: `Bearer ${targets.emulatorKey}` })).status === 200,
    sendGateway: async () =>
      (await postJson(agent, gateway, gatewayBody, { authorization: `Bearer ${targets.apiKey}` })).status === 200,
  };
}
