import { type BflEmulatorOptions, type RunningBflEmulator, startBflEmulator } from '@imagegate/emulators';
import type { ProviderEmulator } from '../provider-emulator.ts';

const env = (running: RunningBflEmulator): Record<string, string> => ({
  BFL_API_KEY: running.apiKey,
  BFL_BASE_URL: running.url,
});

/** BFL's emulator: FLUX submit, poll and signed delivery, with faults. */
export const bflEmulator: ProviderEmulator<RunningBflEmulator, BflEmulatorOptions> = {
  start: (options) => startBflEmulator(options),
  localOptions: { renderMs: 1500 },
  // Renders take a moment, as BFL's do, so polling is exercised.
  testOptions: { renderMs: 150 },
  env,
  testEnv: { BFL_POLL_INTERVAL_MS: '50' },
  conformance: (running) => [
    {
      label: 'bfl flux',
      env: { ...env(running), BFL_POLL_INTERVAL_MS: '20' },
      request: {
        n: 1,
        quality: 'auto',
        background: 'opaque',
        prompt: 'a lighthouse',
        protocol: 'bfl-flux',
        providerModel: 'flux-2-pro',
        size: '1024x768',
        outputFormat: 'jpeg',
      },
      secrets: [running.apiKey],
      echoable: running.apiKey,
    },
  ],
};
