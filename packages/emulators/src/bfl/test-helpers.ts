import type { RunningBflEmulator } from './emulator.ts';

/** The JSON answer of a BFL endpoint, loosely typed for assertions. */
export interface BflReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Submits a task to `POST /v1/{model}` with the emulator's key, `key`, or (for `null`) none. */
export async function submit(
  emulator: RunningBflEmulator,
  model: string,
  body: unknown,
  key: string | null = emulator.apiKey,
): Promise<BflReply> {
  const response = await fetch(`${emulator.url}/v1/${model}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'x-key': key }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** GETs a polling URL and parses the `ResultResponse`. */
export async function poll(url: string): Promise<BflReply> {
  const response = await fetch(url);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** Polls `url` every `intervalMs` until the status is no longer `Pending`; gives up after `maxPolls`. */
export async function pollUntilDone(url: string, intervalMs = 40, maxPolls = 100): Promise<BflReply> {
  for (let i = 0; i < maxPolls; i++) {
    const reply = await poll(url);
    if (reply.body.status !== 'Pending') return reply;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`task at ${url} still Pending after ${maxPolls} polls`);
}

/** The `polling_url` of a submit reply, asserting it is a string. */
export function pollingUrl(reply: BflReply): string {
  const url = reply.body.polling_url;
  if (typeof url !== 'string') throw new Error(`no polling_url in ${JSON.stringify(reply.body)}`);
  return url;
}

/** `result.sample` of a Ready reply. */
export function sampleUrl(reply: BflReply): string {
  const result = reply.body.result as { sample?: unknown } | null;
  if (typeof result?.sample !== 'string') throw new Error(`no result.sample in ${JSON.stringify(reply.body)}`);
  return result.sample;
}
