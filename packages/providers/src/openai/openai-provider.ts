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
  // What a new (Tier 1) OpenAI account may do with the GPT Image models: 5 images per minute and
  // 100,000 tokens per minute (the gpt-image-2 model page's rate-limit table,
  // https://developers.openai.com/api/docs/models/gpt-image-2; Tier 2 20 IPM, Tier 3 50, Tier 4 150,
  // Tier 5 250). OpenAI counts images, we count calls: a call with n > 1 spends n of the 5.
  // A render takes tens of seconds, so 5 in flight is all 5 a minute can use.
  defaultLimits: '5rpm/5',
  mapError: mapOpenAIError,
  emulator: async () => (await import('./openai-emulator.ts')).openaiEmulator,
});
