/**
 * Provider-neutral fault vocabulary. Each emulator (OpenAI, Google, BFL) maps these outcomes onto
 * its own wire format, so tests can script the same failure against any provider.
 */

/** HTTP statuses a scripted `error` fault may answer with. */
export type ErrorFaultStatus = 400 | 401 | 403 | 404 | 500 | 502 | 503;

/** The statuses accepted for `{type:'error'}`, for validating untrusted input. */
export const ERROR_FAULT_STATUSES: readonly ErrorFaultStatus[] = [400, 401, 403, 404, 500, 502, 503];

/** One entry of the scripted queue; one is consumed per generation call. */
export type ScriptedFault =
  | { type: 'ok' }
  /** `code` and `message` override the provider's default error body for that status. */
  | { type: 'error'; status: ErrorFaultStatus; code?: string; message?: string }
  /** 429 with a `retry-after` header of `retryAfterS` seconds. */
  | { type: 'rate_limit'; retryAfterS: number }
  /** 429 that must not be retried (out of credit); no `retry-after`. */
  | { type: 'insufficient_quota' }
  /** Safety refusal. `categories` defaults to `['violence']`. */
  | { type: 'moderation'; categories?: string[] }
  /** Never answers; the request ends only when the client aborts or the emulator closes. */
  | { type: 'hang' }
  /** Waits `ms` milliseconds more, then succeeds. */
  | { type: 'latency'; ms: number }
  /** Succeeds with only `images` images (capped at the requested `n`). */
  | { type: 'partial'; images: number }
  /**
   * Output-side safety filter: only `images` of the requested images survive (default 0), the
   * rest are withheld. Imagen answers `raiFilteredReason`, Gemini `finishReason: IMAGE_SAFETY`,
   * BFL `Content Moderated`. (`moderation` is the prompt-side refusal.)
   */
  | { type: 'filtered'; images?: number }
  /**
   * The request is accepted but generation fails: BFL tasks end in status `Error`; synchronous
   * providers answer 500. `message` overrides the provider's default error text.
   */
  | { type: 'failed'; message?: string };

/** What a single call ends with once latency has been folded out. */
export type FaultOutcome = Exclude<ScriptedFault, { type: 'latency' }>;

/** Probabilities (0–1) of random failures, applied when neither a directive nor the script decides. */
export interface FaultRates {
  /** Chance of a 500 `server_error`. Default 0. */
  error500?: number;
  /** Chance of a 429 `rate_limit_exceeded`. Default 0. */
  rateLimit429?: number;
  /** `retry-after` seconds for random 429s. Default 1. */
  retryAfterS?: number;
}

/** Configuration accepted by {@link FaultController.configure} and `POST /__emulator/faults`. */
export interface FaultConfig {
  /** Appended to the scripted queue. */
  script?: ScriptedFault[];
  /** Replaces the random rates when given. */
  rates?: FaultRates;
  /** Replaces the latency (ms) added to every generation call when given. */
  latencyMs?: number;
  /** Re-seeds the random-rate RNG so a run is reproducible. */
  seed?: number;
}

/** Where a call's behaviour came from, useful when asserting in tests. */
export type FaultSource = 'directive' | 'script' | 'random' | 'none';

/** The resolved behaviour of one generation call. */
export interface FaultDecision {
  outcome: FaultOutcome;
  /** Extra latency in ms on top of the emulator's fixed `latencyMs`. */
  addedLatencyMs: number;
  source: FaultSource;
}

/** A read-only view of the controller, as returned by `GET /__emulator/faults`. */
export interface FaultState {
  pending: ScriptedFault[];
  rates: Required<FaultRates>;
  latencyMs: number;
}
