import type { GatewayError } from '@imagegate/core';
import type { z } from 'zod';
import type { ProviderEmulator, RunningProviderEmulator } from './provider-emulator.ts';
import type { ImageProvider } from './spec.ts';

/** Settings every adapter shares, read once by the worker rather than per provider. */
export interface AdapterSettings {
  /** Milliseconds one upstream call may take (the worker's `UPSTREAM_TIMEOUT_MS`, default 600000). */
  timeoutMs?: number | undefined;
}

/**
 * Everything the gateway knows about one upstream, exported from that provider's folder. The
 * registry (`PROVIDERS`) is a list of these, and every part of the system that used to name
 * providers one by one (the catalog's option checks, the worker, `pnpm start`, the test stack,
 * the conformance suite, the default limits) reads that list instead.
 *
 * @typeParam Name - the provider's name, kept literal so lists of definitions stay indexable by it.
 * @typeParam Env - the provider's environment schema: its variable names and their defaults.
 * @typeParam Running - what its emulator's `start` returns (the test stack exposes it typed).
 */
export interface ProviderDefinition<
  Name extends string = string,
  Env extends z.ZodObject = z.ZodObject,
  Running extends RunningProviderEmulator = RunningProviderEmulator,
  EmulatorOptions = unknown,
> {
  /** The provider's name: catalog entries' `provider`, the queue's suffix, `PROVIDER_LIMITS` keys. */
  readonly name: Name;
  /**
   * The keys a caller may put this provider's options under in `providerOptions`, Vercel AI SDK's
   * name first (`openai`; `googleVertex`, `google`, `vertex`; `blackForestLabs`, `bfl`).
   */
  readonly optionKeys: readonly string[];
  /**
   * Every option any of this provider's models may take (camelCase name → value schema). Which model
   * takes which, and numeric bounds per model, stay in the catalog (`capabilities.providerOptions`).
   * The catalog validates through this schema; the adapter trusts what it receives.
   */
  readonly optionsSchema: z.ZodObject;
  /**
   * Whether an `outputFormat` inside this provider's options is honoured as the top-level
   * `output_format` (Vercel's BFL examples put it there). Default false.
   */
  readonly outputFormatInOptions?: boolean;
  /** The environment variables this provider reads, with their defaults (empty counts as unset). */
  readonly envSchema: Env;
  /**
   * The adapter, built from the parsed environment; undefined when the environment holds no
   * credentials for it (the provider is then simply not served). Throws on credentials that are
   * present but unusable (an unreadable key file), so a misconfiguration stops the worker at start.
   */
  create(env: z.output<Env>, settings: AdapterSettings): ImageProvider | undefined;
  /**
   * `PROVIDER_LIMITS` entry used when the operator sets none for this provider: calls per minute
   * (`rpm`) or second (`rps`) / jobs in flight, e.g. `5rpm/5` (see the queue's provider-limits).
   * What a new account at the upstream's lowest paid tier is allowed, its source cited beside it
   * (docs/operations.md, "Sizing PROVIDER_LIMITS").
   */
  readonly defaultLimits: string;
  /**
   * How this upstream's failures become our errors (its `*-errors.ts`). The adapter calls it; it is
   * listed here so a reader finds every provider's mapping from one place. Signatures differ per
   * upstream (an SDK error, or an HTTP status and body).
   */
  readonly mapError: (...args: never[]) => GatewayError;
  /**
   * Loads the provider's emulator hook (from `packages/emulators`). A dynamic import behind this
   * function keeps emulator code out of production processes: only `pnpm start`, the test stack
   * and the conformance suite call it.
   */
  emulator(): Promise<ProviderEmulator<Running, EmulatorOptions>>;
}

/** A definition, its name and types kept exact (what each provider folder exports). */
export function defineProvider<
  const Name extends string,
  Env extends z.ZodObject,
  Running extends RunningProviderEmulator,
  EmulatorOptions,
>(
  definition: ProviderDefinition<Name, Env, Running, EmulatorOptions>,
): ProviderDefinition<Name, Env, Running, EmulatorOptions> {
  return definition;
}

/** Any provider's definition, whatever its name, environment and emulator types (what lists hold). */
export type AnyProviderDefinition = ProviderDefinition;
