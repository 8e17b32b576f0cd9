import type { FaultController } from '@imagegate/emulators';
import type { ProviderImageRequest } from './spec.ts';

/** What every provider's emulator offers once listening. */
export interface RunningProviderEmulator {
  /** Where it listens (the form its provider's base-URL variable takes). */
  url: string;
  /** Scripted and random faults (the conformance suite scripts each upstream failure through it). */
  faults: FaultController;
  /** Stops listening. Idempotent. */
  close(): Promise<void>;
}

/**
 * How to run one provider against its emulator from `packages/emulators`, and how to point the
 * provider at it. Loaded only through `ProviderDefinition.emulator()` (a dynamic import), so a
 * production worker never loads emulator code.
 */
export interface ProviderEmulator<Running extends RunningProviderEmulator, Options> {
  /** Starts the emulator; `options` are its own (keys, latency, faults). */
  start(options?: Options): Promise<Running>;
  /** Options for `pnpm start`: an upstream-like pace, so a local run feels like the real thing. */
  readonly localOptions: Options;
  /** Options for the test stack, under a test's own: fast, still exercising what is slow upstream. */
  readonly testOptions: Options;
  /**
   * The variables (of the provider's `envSchema`) that point it at `running`. Credentials that are
   * files in production (a service-account key) are written under `dir`, which the caller owns.
   */
  env(running: Running, dir: string): Record<string, string>;
  /** Variables the test stack adds to `env` (e.g. faster polling); none for `pnpm start`. */
  readonly testEnv: Readonly<Record<string, string>>;
  /** The conformance suite's cases against `running` (one per surface the provider speaks). */
  conformance(running: Running, dir: string): ConformanceCase[];
}

/** One run of the adapter conformance suite (`conformance.test.ts`) against an emulator. */
export interface ConformanceCase {
  /** e.g. `google imagen (vertex)`. */
  label: string;
  /** The environment the adapter is built from, through the definition's `envSchema` and `create`. */
  env: Record<string, string>;
  /** A request the emulator serves successfully. */
  request: ProviderImageRequest;
  /** Strings that must never appear in an error or a log line. */
  secrets: string[];
  /** A credential the upstream may quote back in an error (API keys; OAuth tokens are minted per call). */
  echoable?: string | undefined;
  /** A request this upstream cannot honour exactly, and the warning it must produce. */
  approximated?: { request: ProviderImageRequest; warning: RegExp } | undefined;
  /** False when this upstream's 429 does not say when to come back (Vertex's quota errors). */
  rateLimitSaysWhen?: false | undefined;
  /** True when the adapter answers a 401 by fetching a fresh token and trying once more (Vertex OAuth). */
  retriesAuthOnce?: true | undefined;
}
