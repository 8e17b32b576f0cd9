import { type OpenAIEmulatorOptions, type RunningEmulator, startOpenAIEmulator } from '@imagegate/emulators';
import type { ProviderEmulator } from '../provider-emulator.ts';

/** OpenAI's emulator: the Images API with faults, behind an API key of its own. */
export const openaiEmulator: ProviderEmulator<RunningEmulator, OpenAIEmulatorOptions> = {
  start: (options) => startOpenAIEmulator(options),
  localOptions: { latencyMs: 500 },
  testOptions: {},
  env: (running) => ({ OPENAI_API_KEY: running.apiKey, OPENAI_BASE_URL: running.url }),
  testEnv: {},
  conformance: (running) => [
    {
      label: 'openai',
      env: { OPENAI_API_KEY: running.apiKey, OPENAI_BASE_URL: running.url },
      request: {
        n: 1,
        quality: 'auto',
        background: 'opaque',
        prompt: 'a lighthouse',
        protocol: 'openai-images',
        providerModel: 'gpt-image-1.5',
        size: '1024x1024',
        outputFormat: 'png',
      },
      secrets: [running.apiKey],
      echoable: running.apiKey,
    },
  ],
};
