import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { envWithDefault, optionalEnv } from '../env-fields.ts';
import { defineProvider } from '../provider-definition.ts';
import { mapGoogleError } from './google-errors.ts';
import { createGoogleImageProvider, type GoogleProviderConfig } from './google-image-provider.ts';
import { googleOptionsSchema } from './google-options.ts';

const googleEnvSchema = z.object({
  /** A service-account key file: Vertex AI serves Imagen and Gemini models. */
  GOOGLE_APPLICATION_CREDENTIALS: optionalEnv,
  /** The Vertex project (default: the key file's `project_id`). */
  GOOGLE_CLOUD_PROJECT: optionalEnv,
  /** The Vertex location Imagen runs in. */
  GOOGLE_CLOUD_LOCATION: envWithDefault('us-central1'),
  /** The Vertex location Gemini image models run in (the Gemini 3 image models are served from `global`). */
  GOOGLE_GEMINI_LOCATION: envWithDefault('global'),
  /** Another host for Vertex (a private endpoint, or the emulator). */
  VERTEX_BASE_URL: optionalEnv,
  /** A Gemini API key: Gemini models without Vertex (Imagen needs Vertex). */
  GEMINI_API_KEY: optionalEnv,
  GEMINI_BASE_URL: envWithDefault('https://generativelanguage.googleapis.com'),
});

/** The fields of a service-account key file we use. */
const serviceAccountFileSchema = z.object({
  client_email: z.string(),
  private_key: z.string(),
  private_key_id: z.string().optional(),
  token_uri: z.string().optional(),
  project_id: z.string().optional(),
});

/** Vertex AI (a service account) and the Gemini API (an API key); either or both. */
export const googleProvider = defineProvider({
  name: 'google',
  optionKeys: ['googleVertex', 'google', 'vertex'],
  optionsSchema: googleOptionsSchema,
  envSchema: googleEnvSchema,
  create(env, settings) {
    if (env.GOOGLE_APPLICATION_CREDENTIALS === undefined && env.GEMINI_API_KEY === undefined) return undefined;
    const config: GoogleProviderConfig = {
      vertex: vertexConfigFrom(env),
      geminiApi:
        env.GEMINI_API_KEY === undefined ? undefined : { apiKey: env.GEMINI_API_KEY, baseURL: env.GEMINI_BASE_URL },
      timeoutMs: settings.timeoutMs,
    };
    return createGoogleImageProvider(config);
  },
  // One limit serves every Google model, so it is the strictest one's: Gemini 3 Pro Image at the
  // Gemini API's Tier 1 (billing enabled) was published at 20 requests per minute
  // (https://ai.google.dev/gemini-api/docs/rate-limits; Google now shows each project's live limits
  // in AI Studio only, so check yours there). Vertex AI's Gemini models use dynamic shared quota.
  defaultLimits: '20rpm/10',
  mapError: mapGoogleError,
  emulator: async () => (await import('./google-emulator.ts')).googleEmulator,
});

function vertexConfigFrom(env: z.output<typeof googleEnvSchema>): GoogleProviderConfig['vertex'] {
  if (env.GOOGLE_APPLICATION_CREDENTIALS === undefined) return undefined;
  const { project_id: projectId, ...credentials } = serviceAccountFileSchema.parse(
    JSON.parse(readFileSync(env.GOOGLE_APPLICATION_CREDENTIALS, 'utf8')),
  );
  const project = env.GOOGLE_CLOUD_PROJECT ?? projectId;
  if (project === undefined) {
    throw new Error('GOOGLE_CLOUD_PROJECT is not set and the service-account key names no project_id.');
  }
  return {
    credentials,
    project,
    location: env.GOOGLE_CLOUD_LOCATION,
    geminiLocation: env.GOOGLE_GEMINI_LOCATION,
    baseURL: env.VERTEX_BASE_URL,
  };
}
