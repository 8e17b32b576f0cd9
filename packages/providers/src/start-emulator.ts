import type { z } from 'zod';
import type { ProviderDefinition } from './provider-definition.ts';
import type { ConformanceCase, RunningProviderEmulator } from './provider-emulator.ts';

/** A provider's emulator, listening, and what points the provider at it. */
export interface StartedEmulator<Running extends RunningProviderEmulator> {
  name: string;
  running: Running;
  /** The provider's variables for this emulator (plus the hook's `testEnv` for `test`). */
  env: Record<string, string>;
  /** The conformance suite's cases against it. */
  conformance(): ConformanceCase[];
}

/**
 * Starts `definition`'s emulator through its hook: with the hook's options for `pnpm start`
 * (`local`) or the test stack (`test`), `options` on top. Files (key files) go under `dir`.
 */
export async function startProviderEmulator<Running extends RunningProviderEmulator, Options>(
  definition: ProviderDefinition<string, z.ZodObject, Running, Options>,
  purpose: 'local' | 'test',
  dir: string,
  options?: Options,
): Promise<StartedEmulator<Running>> {
  const hook = await definition.emulator();
  const running = await hook.start({ ...(purpose === 'local' ? hook.localOptions : hook.testOptions), ...options });
  const env = { ...hook.env(running, dir), ...(purpose === 'test' ? hook.testEnv : {}) };
  return { name: definition.name, running, env, conformance: () => hook.conformance(running, dir) };
}
