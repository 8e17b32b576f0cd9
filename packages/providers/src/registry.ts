import { parseEnv } from '@imagegate/core';
import { bflProvider } from './bfl/bfl-provider.ts';
import { googleProvider } from './google/google-provider.ts';
import { openaiProvider } from './openai/openai-provider.ts';
import type { AdapterSettings, AnyProviderDefinition } from './provider-definition.ts';
import type { ImageProvider } from './spec.ts';

/**
 * Every provider the gateway knows. The catalog, the worker, `pnpm start`, the test stack, the
 * conformance suite and the default limits all read this list: adding a provider adds one line here.
 */
export const PROVIDERS = [openaiProvider, googleProvider, bflProvider] as const;

/** One of the known providers' names. */
export type ProviderName = (typeof PROVIDERS)[number]['name'];

/** The definition named `name`, or undefined. */
export function providerDefinition(name: string): AnyProviderDefinition | undefined {
  return PROVIDERS.find((definition) => definition.name === name);
}

/**
 * The adapter of every provider whose credentials `env` holds, by name; each definition reads its
 * own variables. Throws (naming the variable) on a value its schema refuses or a key file it cannot use.
 */
export function createConfiguredProviders(
  env: Readonly<Record<string, string | undefined>>,
  settings: AdapterSettings = {},
  definitions: readonly AnyProviderDefinition[] = PROVIDERS,
): Map<string, ImageProvider> {
  const providers = new Map<string, ImageProvider>();
  for (const definition of definitions) {
    const provider = definition.create(parseEnv(definition.envSchema, { ...env }), settings);
    if (provider !== undefined) providers.set(definition.name, provider);
  }
  return providers;
}

/** Each provider's default `PROVIDER_LIMITS` entry, by name (`openai` → `5rpm/5`). */
export function defaultProviderLimits(
  definitions: readonly AnyProviderDefinition[] = PROVIDERS,
): Record<string, string> {
  return Object.fromEntries(definitions.map((definition) => [definition.name, definition.defaultLimits]));
}

/** The environment variables every provider reads, in list order (for docs and deployment files). */
export function providerEnvNames(definitions: readonly AnyProviderDefinition[] = PROVIDERS): string[] {
  return definitions.flatMap((definition) => Object.keys(definition.envSchema.shape));
}
