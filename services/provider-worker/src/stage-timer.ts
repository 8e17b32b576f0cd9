import { performance } from 'node:perf_hooks';

/**
 * Where one attempt's time went, logged with its outcome: `queued` (added → picked up), then each
 * stage the processor marks with `lap`. Slow jobs are explained by their own log line.
 */
export class StageTimer {
  readonly laps: Record<string, number> = {};
  #last = performance.now();

  constructor(pickedUpAt: number, addedAt: number) {
    this.laps.queued = Math.max(0, pickedUpAt - addedAt);
  }

  /** Milliseconds since the previous lap (or since construction), recorded under `stage`. */
  lap(stage: string): void {
    const now = performance.now();
    this.laps[stage] = Math.round((now - this.#last) * 10) / 10;
    this.#last = now;
  }
}
