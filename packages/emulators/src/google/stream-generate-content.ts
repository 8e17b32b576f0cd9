import type { ServerResponse } from 'node:http';
import { sleep } from '../http/abortable-wait.ts';
import type { GoogleReply } from './reply.ts';

type Json = Record<string, unknown>;

/**
 * `:streamGenerateContent?alt=sse` as Gemini streams it: `data: <GenerateContentResponse>` chunks.
 * The answer's text parts go out at once, a few words per chunk (the model writes before it
 * draws), then, once the render latency has passed, the image parts with the finish reason and
 * the usage. An answer without a candidate (a blocked prompt) or a non-200 goes out whole.
 */
export async function streamGenerateContent(
  res: ServerResponse,
  reply: Promise<GoogleReply>,
  latencyMs: number,
  signal: AbortSignal,
): Promise<void> {
  const started = Date.now();
  const whole = await reply;
  const body = JSON.parse(Buffer.concat(whole.chunks).toString('utf8')) as Json;
  res.writeHead(whole.status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (chunk: Json) => res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  const candidates = Array.isArray(body.candidates) ? (body.candidates as Json[]) : [];
  const [candidate] = candidates;
  const content = candidate?.content as { role?: string; parts?: Json[] } | undefined;
  if (whole.status !== 200 || candidate === undefined || content?.parts === undefined) {
    if (await sleep(latencyMs, signal)) {
      send(body);
      res.end();
    }
    return;
  }
  const texts = content.parts.filter((part) => typeof part.text === 'string' && part.thought !== true);
  const rest = content.parts.filter((part) => !texts.includes(part));
  for (const text of texts) {
    const words = String(text.text).split(/(?<= )/);
    for (let at = 0; at < words.length; at += 4) {
      send({ candidates: [{ content: { role: 'model', parts: [{ text: words.slice(at, at + 4).join('') }] } }] });
      if (!(await sleep(20, signal))) return;
    }
  }
  if (!(await sleep(Math.max(0, latencyMs - (Date.now() - started)), signal))) return;
  const { candidates: _candidates, ...envelope } = body;
  send({ ...envelope, candidates: [{ ...candidate, content: { role: 'model', parts: rest } }] });
  res.end();
}
