import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GoogleEmulatorOptions, type RunningGoogleEmulator, startGoogleEmulator } from '@imagegate/emulators';
import type { ProviderEmulator } from '../provider-emulator.ts';
import type { ProviderImageRequest } from '../spec.ts';

/** Google's emulator: Vertex (Imagen, Gemini) with its OAuth token endpoint, and the Gemini API. */
export const googleEmulator: ProviderEmulator<RunningGoogleEmulator, GoogleEmulatorOptions> = {
  start: (options) => startGoogleEmulator(options),
  localOptions: { latencyMs: 800 },
  testOptions: {},
  env: vertexEnv,
  testEnv: {},
  conformance(running, dir) {
    const base = { n: 1, quality: 'auto', background: 'opaque', prompt: 'a lighthouse', imageSize: '1K' } as const;
    const imagen: ProviderImageRequest = {
      ...base,
      protocol: 'vertex-imagen',
      providerModel: 'imagen-4.0-generate-001',
      size: '1408x768',
      aspectRatio: '16:9',
      outputFormat: 'png',
    };
    const gemini: ProviderImageRequest = {
      ...base,
      protocol: 'gemini',
      providerModel: 'gemini-2.5-flash-image',
      size: '1344x768',
      aspectRatio: '16:9',
      outputFormat: 'png',
    };
    return [
      {
        label: 'google imagen (vertex)',
        env: vertexEnv(running, dir),
        request: imagen,
        secrets: [running.serviceAccount.private_key.split('\n')[1] ?? 'unused', 'ya29.'],
        approximated: { request: { ...imagen, n: 2, prompt: 'a crowd [emulate:filtered=1]' }, warning: /withheld/ },
        rateLimitSaysWhen: false,
        retriesAuthOnce: true,
      },
      {
        label: 'google gemini (gemini api)',
        env: { GEMINI_API_KEY: running.apiKey, GEMINI_BASE_URL: running.url },
        request: gemini,
        secrets: [running.apiKey],
        echoable: running.apiKey,
        // The Gemini API cannot choose the encoding: asking for JPEG from a PNG model must be said.
        approximated: { request: { ...gemini, outputFormat: 'jpeg' }, warning: /png/i },
      },
    ];
  },
};

/** Vertex through the emulator; its service-account key is minted per start and read from a file, as in production. */
function vertexEnv(running: RunningGoogleEmulator, dir: string): Record<string, string> {
  const keyFile = join(dir, 'google-emulator-service-account.json');
  writeFileSync(keyFile, JSON.stringify(running.serviceAccount), { mode: 0o600 });
  return {
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    GOOGLE_CLOUD_PROJECT: running.projectId,
    VERTEX_BASE_URL: running.url,
  };
}
