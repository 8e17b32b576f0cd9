import { z } from 'zod';
import { envWithDefault, optionalEnv } from '../env-fields.ts';
import { defineProvider } from '../provider-definition.ts';
import { mapOpenAIError } from './openai-errors.ts';
import { createOpenAIImageProvider } from './openai-image-provider.ts';

/** OpenAI's Images API (GPT Image): one API key. */
export const openaiProvider = defineProvider({
  name: 'openai',
  optionKeys: ['openai'],
  // Every OpenAI parameter is a first-class request field; there are no provider options.
  optionsSchema: z.object({}),
  envSchema: z.object({
    OPENAI_API_KEY: optionalEnv,
    /** Another host speaking the Images API (a proxy, or the emulator). */
    OPENAI_BASE_URL: envWithDefault('https://api.openai.com/v1'),
  }),
  create(env, settings) {
    if (env.OPENAI_API_KEY === undefined) return undefined;
    return createOpenAIImageProvider({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    });
  },
  defaultLimits: '500rpm/50',
  mapError: mapOpenAIError,
  emulator: async () => (await import('./openai-emulator.ts')).openaiEmulator,
});
