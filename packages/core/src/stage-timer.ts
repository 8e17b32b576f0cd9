import { performance } from 'node:perf_hooks';

/**
 * Where one request's or attempt's time went, logged with its outcome: each stage marked with
 * `lap`, in milliseconds. A slow job is explained by its own log line.
 */
export class StageTimer {
  readonly laps: Record<string, number> = {};
  #last = performance.now();

  /** `earlier` stages measured before this timer existed (e.g. time spent queued). */
  constructor(earlier: Record<string, number> = {}) {
    Object.assign(this.laps, earlier);
  }

  /** Milliseconds since the previous lap (or since construction), recorded under `stage`. */
  lap(stage: string): void {
    const now = performance.now();
    this.laps[stage] = Math.round((now - this.#last) * 10) / 10;
    this.#last = now;
  }
}
