import { randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import type { ObjectStore } from '@imagegate/storage';
import { postJson } from './http-client.ts';

/** One sync generation, sent straight to the emulator or through imagegate (`response_format=url`). */
export interface SyncSenders {
  sendDirect(): Promise<boolean>;
  sendGateway(): Promise<boolean>;
  /**
   * The physical floor of a gateway that keeps its images: the direct call, then a PUT of an image
   * of the same size to the same S3 (what imagegate must do before it can hand out a URL).
   */
  sendDirectThenStore(): Promise<boolean>;
}

/** The same small request both ways: the pair every sync figure compares. Resolves true on a 200. */
export function syncSenders(
  agent: Agent,
  targets: { emulatorUrl: string; emulatorKey: string; imagegateUrl: string; apiKey: string },
  floor: { store: ObjectStore; imageBytes: number },
): SyncSenders {
  const image = randomBytes(floor.imageBytes);
  let stored = 0;
  const request = { model: 'gpt-image-2.6-flare', prompt: 'a small red cube', quality: 'low', size: '1024x1024' };
  const direct = new URL(`${targets.emulatorUrl}/images/generations`);
  const gateway = new URL(`${targets.imagegateUrl}/v1/images/generations`);
  const directBody = JSON.stringify(request);
  const gatewayBody = JSON.stringify({ ...request, response_format: 'url' });
  const sendDirect = async () =>
    (await postJson(agent, direct, directBody, { authorization: `Bearer ${targets.emulatorKey}` })).status === 200;
  return {
    sendDirect,
    async sendDirectThenStore() {
      if (!(await sendDirect())) return false;
      await floor.store.putObject(`floor/${stored++}.png`, image, { contentType: 'image/png' });
      return true;
    },
    sendGateway: async () =>
      (await postJson(agent, gateway, gatewayBody, { authorization: `Bearer ${targets.apiKey}` })).status === 200,
  };
}
