import { createOpenAIImageProvider, type OpenAIProviderConfig } from './openai/openai-image-provider.ts';
import type { ImageProvider } from './spec.ts';

/** Credentials and endpoints per upstream; a provider without config is not available. */
export interface ProvidersConfig {
  openai?: OpenAIProviderConfig | undefined;
}

/** The adapters this process can call, by provider name. Adding a provider adds one line here. */
export function createProviders(config: ProvidersConfig): Map<string, ImageProvider> {
  const providers = new Map<string, ImageProvider>();
  if (config.openai) providers.set('openai', createOpenAIImageProvider(config.openai));
  return providers;
}
