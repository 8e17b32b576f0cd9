import { randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import type { FloorWriter } from './floor-writers.ts';
import { postJson } from './http-client.ts';
import type { ModeName } from './sync-matrix.ts';

/** Sends one sync generation; resolves true on a 200 whose body was read to the end. */
export type Send = () => Promise<boolean>;

/** The same small request every way the sync figures compare. */
export interface SyncSenders {
  /** Straight to the emulator: the baseline every added latency is measured over. */
  direct: Send;
  /**
   * The physical floor of a gateway that keeps its images: the direct call, then a write of an
   * image of the same size to the same store by a plain client (floor-writers.ts).
   */
  floor(writer: FloorWriter): Send;
  /** Through the peer gateway: Portkey's OpenAI provider, pointed at the emulator by its headers. */
  portkey(portkeyUrl: string): Send;
  /** Through imagegate, asking for `response_format` `mode`. */
  imagegate(imagegateUrl: string, mode: ModeName): Send;
}

/** `onFailure` hears of every request that did not end in a 200: who sent it, and the status or error. */
export function syncSenders(
  agent: Agent,
  targets: { emulatorUrl: string; emulatorKey: string; apiKey: string },
  imageBytes: number,
  onFailure: (sender: string, what: string) => void = () => {},
): SyncSenders {
  const image = randomBytes(imageBytes);
  const request = { model: 'gpt-image-2.6-flare', prompt: 'a small red cube', quality: 'low', size: '1024x1024' };
  // The model answers b64_json, as OpenAI's gpt-image models do; only imagegate can offer a URL.
  const body = JSON.stringify(request);
  const emulatorAuthorization = { authorization: `Bearer ${targets.emulatorKey}` };
  const direct = new URL(`${targets.emulatorUrl}/images/generations`);
  const ok = async (sender: string, answer: Promise<{ status: number }>) => {
    try {
      const { status } = await answer;
      if (status !== 200) onFailure(sender, `status ${status}`);
      return status === 200;
    } catch (error) {
      onFailure(sender, String(error));
      throw error;
    }
  };
  const sendDirect = () => ok('direct', postJson(agent, direct, body, emulatorAuthorization));
  return {
    direct: sendDirect,
    floor: (writer) => async () => {
      if (!(await sendDirect())) return false;
      try {
        await writer(image);
      } catch (error) {
        onFailure('floor', String(error));
        throw error;
      }
      return true;
    },
    portkey: (portkeyUrl) => {
      const url = new URL(`${portkeyUrl}/v1/images/generations`);
      const headers = {
        ...emulatorAuthorization,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': targets.emulatorUrl,
      };
      return () => ok('Portkey', postJson(agent, url, body, headers));
    },
    imagegate: (imagegateUrl, mode) => {
      const url = new URL(`${imagegateUrl}/v1/images/generations`);
      const gatewayBody = JSON.stringify({ ...request, response_format: mode });
      const headers = { authorization: `Bearer ${targets.apiKey}` };
      return () => ok(`imagegate ${mode}`, postJson(agent, url, gatewayBody, headers));
    },
  };
}
