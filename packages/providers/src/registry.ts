import { type BflProviderConfig, createBflImageProvider } from './bfl/bfl-image-provider.ts';
import { createGoogleImageProvider, type GoogleProviderConfig } from './google/google-image-provider.ts';
import { createOpenAIImageProvider, type OpenAIProviderConfig } from './openai/openai-image-provider.ts';
import type { ImageProvider } from './spec.ts';

/** Credentials and endpoints per upstream; a provider without config is not available. */
export interface ProvidersConfig {
  openai?: OpenAIProviderConfig | undefined;
  google?: GoogleProviderConfig | undefined;
  bfl?: BflProviderConfig | undefined;
}

/** The adapters this process can call, by provider name. Adding a provider adds one line here. */
export function createProviders(config: ProvidersConfig): Map<string, ImageProvider> {
  const providers = new Map<string, ImageProvider>();
  if (config.openai) providers.set('openai', createOpenAIImageProvider(config.openai));
  if (config.google) providers.set('google', createGoogleImageProvider(config.google));
  if (config.bfl) providers.set('bfl', createBflImageProvider(config.bfl));
  return providers;
}
