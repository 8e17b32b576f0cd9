import type { RunningGoogleEmulator } from '@imagegate/emulators';
import { readImageDimensions } from '../image-dimensions.ts';
import type { ProviderImageRequest } from '../spec.ts';
import type { GoogleProviderConfig } from './google-image-provider.ts';

export type { RunningGoogleEmulator } from '@imagegate/emulators';
export { startGoogleEmulator } from '@imagegate/emulators';

/** A validated request as the worker hands it over; Imagen 16:9 1K PNG unless overridden. */
export function imageRequest(overrides: Partial<ProviderImageRequest> = {}): ProviderImageRequest {
  return {
    protocol: 'vertex-imagen',
    providerModel: 'imagen-4.0-generate-001',
    prompt: 'a lighthouse at dusk, watercolor',
    n: 1,
    size: '1408x768',
    aspectRatio: '16:9',
    quality: 'auto',
    background: 'opaque',
    outputFormat: 'png',
    ...overrides,
  };
}

/** Vertex pointed at the emulator, with its service account (whose `token_uri` is the emulator's). */
export function vertexConfig(emulator: RunningGoogleEmulator): NonNullable<GoogleProviderConfig['vertex']> {
  return {
    credentials: emulator.serviceAccount,
    project: emulator.projectId,
    location: 'us-central1',
    baseURL: emulator.url,
  };
}

export function geminiApiConfig(emulator: RunningGoogleEmulator): NonNullable<GoogleProviderConfig['geminiApi']> {
  return { apiKey: emulator.apiKey, baseURL: emulator.url };
}

/** Format (from the magic bytes) and pixel size (from the header) of an encoded image. */
export function imageInfo(bytes: Uint8Array): { format: string; width?: number; height?: number } {
  const format = bytes[0] === 0x89 && bytes[1] === 0x50 ? 'png' : bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpeg' : '?';
  return { format, ...readImageDimensions(bytes) };
}
