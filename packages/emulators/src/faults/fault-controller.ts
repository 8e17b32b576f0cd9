import type { FaultConfig, FaultDecision, FaultRates, FaultState, ScriptedFault } from './fault-types.ts';
import type { RandomSource } from './seeded-rng.ts';
import { createSeededRng } from './seeded-rng.ts';

/** Construction options for {@link FaultController}. */
export interface FaultControllerOptions {
  /** Seed for the random-rate RNG. Default 1, so runs are reproducible unless asked otherwise. */
  seed?: number;
  /** Inject your own RNG (values in [0, 1)); wins over `seed`. */
  random?: RandomSource;
}

const DEFAULT_SEED = 1;
const DEFAULT_RETRY_AFTER_S = 1;

/**
 * Decides how each generation call misbehaves. Precedence per call: the scripted queue (one entry
 * consumed per call), then the random rates. Prompt directives bypass this controller entirely so
 * they never consume the shared queue; see `parseFaultDirectives`.
 */
export class FaultController {
  #queue: ScriptedFault[] = [];
  #rates: Required<FaultRates> = { error500: 0, rateLimit429: 0, retryAfterS: DEFAULT_RETRY_AFTER_S };
  #latencyMs = 0;
  #random: RandomSource;

  constructor(options: FaultControllerOptions = {}) {
    this.#random = options.random ?? createSeededRng(options.seed ?? DEFAULT_SEED);
  }

  /** Appends faults to the scripted queue, consumed in order, one per generation call. */
  enqueue(...faults: ScriptedFault[]): void {
    this.#queue.push(...faults);
  }

  /**
   * Applies a configuration: `script` is appended; `rates`, `latencyMs` and `seed` replace the
   * current values when present. Missing rate fields fall back to their defaults (0, retry 1 s).
   */
  configure(config: FaultConfig): void {
    if (config.script) this.enqueue(...config.script);
    if (config.rates) {
      this.#rates = {
        error500: config.rates.error500 ?? 0,
        rateLimit429: config.rates.rateLimit429 ?? 0,
        retryAfterS: config.rates.retryAfterS ?? DEFAULT_RETRY_AFTER_S,
      };
    }
    if (config.latencyMs !== undefined) this.#latencyMs = config.latencyMs;
    if (config.seed !== undefined) this.#random = createSeededRng(config.seed);
  }

  /** Replaces the RNG used for random rates (values in [0, 1)). */
  setRandom(random: RandomSource): void {
    this.#random = random;
  }

  /** Clears the queue, zeroes the rates and the added latency. The RNG is kept. */
  reset(): void {
    this.#queue = [];
    this.#rates = { error500: 0, rateLimit429: 0, retryAfterS: DEFAULT_RETRY_AFTER_S };
    this.#latencyMs = 0;
  }

  /** Decides the next call's behaviour, consuming one scripted entry if any is queued. */
  next(): FaultDecision {
    const scripted = this.#queue.shift();
    if (scripted !== undefined) {
      if (scripted.type === 'latency') {
        return { outcome: { type: 'ok' }, addedLatencyMs: this.#latencyMs + scripted.ms, source: 'script' };
      }
      return { outcome: scripted, addedLatencyMs: this.#latencyMs, source: 'script' };
    }
    const { error500, rateLimit429, retryAfterS } = this.#rates;
    if (error500 > 0 || rateLimit429 > 0) {
      // One draw per call keeps the sequence stable when only one of the rates changes.
      const roll = this.#random();
      if (roll < error500) {
        return { outcome: { type: 'error', status: 500 }, addedLatencyMs: this.#latencyMs, source: 'random' };
      }
      if (roll < error500 + rateLimit429) {
        return { outcome: { type: 'rate_limit', retryAfterS }, addedLatencyMs: this.#latencyMs, source: 'random' };
      }
    }
    return { outcome: { type: 'ok' }, addedLatencyMs: this.#latencyMs, source: 'none' };
  }

  /** A copy of the current state, safe to serialise. */
  state(): FaultState {
    return {
      pending: this.#queue.map((fault) => ({ ...fault })),
      rates: { ...this.#rates },
      latencyMs: this.#latencyMs,
    };
  }
}
