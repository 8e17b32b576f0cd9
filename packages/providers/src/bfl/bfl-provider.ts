import { z } from 'zod';
import { envWithDefault, optionalEnv, positiveIntEnv } from '../env-fields.ts';
import { defineProvider } from '../provider-definition.ts';
import { mapBflHttpError } from './bfl-errors.ts';
import { createBflImageProvider } from './bfl-image-provider.ts';
import { bflOptionsSchema } from './bfl-options.ts';

/** Black Forest Labs (FLUX): one API key; tasks are submitted, then polled. */
export const bflProvider = defineProvider({
  name: 'bfl',
  optionKeys: ['blackForestLabs', 'bfl'],
  optionsSchema: bflOptionsSchema,
  outputFormatInOptions: true,
  envSchema: z.object({
    BFL_API_KEY: optionalEnv,
    /** A regional host, or the emulator. */
    BFL_BASE_URL: envWithDefault('https://api.bfl.ai'),
    /** First wait between polls of a task (ms); it grows ×1.5 up to BFL_MAX_POLL_INTERVAL_MS. */
    BFL_POLL_INTERVAL_MS: positiveIntEnv(500),
    BFL_MAX_POLL_INTERVAL_MS: positiveIntEnv(5000),
  }),
  create(env, settings) {
    if (env.BFL_API_KEY === undefined) return undefined;
    return createBflImageProvider({
      apiKey: env.BFL_API_KEY,
      baseURL: env.BFL_BASE_URL,
      pollIntervalMs: env.BFL_POLL_INTERVAL_MS,
      maxPollIntervalMs: env.BFL_MAX_POLL_INTERVAL_MS,
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    });
  },
  // BFL limits tasks in flight, not calls: 24 active tasks per account, 6 for FLUX Kontext Max
  // (which this one limit cannot single out), a 429 past that (docs.bfl.ai, the API's rate-limit
  // notes). No per-minute limit is published: 300/min only spaces submissions out.
  defaultLimits: '300rpm/24',
  mapError: mapBflHttpError,
  emulator: async () => (await import('./bfl-emulator.ts')).bflEmulator,
});
