import type { IncomingMessage } from 'node:http';
import { checkGeminiApiKey } from './auth.ts';
import { GEMINI_IMAGE_MODELS } from './models.ts';

/** `GET /v1beta/models` (and `/v1/models`) on the Gemini API: its models.list. */
export const GEMINI_LIST_PATH = /^\/(v1beta|v1)\/models$/;

/**
 * The Gemini image models the API lists today (2026-12): Imagen 4 is shut down, so it is not
 * listed, though the emulator still serves it on Vertex for gateways that bring it back.
 */
export function listGeminiModels(
  req: IncomingMessage,
  query: URLSearchParams,
  apiKey: string,
): { status: number; body: unknown } {
  const denied = checkGeminiApiKey(req, query, apiKey);
  if (denied !== undefined) return denied;
  return {
    status: 200,
    body: {
      models: GEMINI_IMAGE_MODELS.map((model) => ({
        name: `models/${model}`,
        baseModelId: model,
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
      })),
    },
  };
}
