import type { EmulatorStats } from './stats-recorder.ts';
import { StatsRecorder } from './stats-recorder.ts';

/**
 * One {@link StatsRecorder} per endpoint kind (e.g. `predict`, `token`), so an emulator serving
 * several endpoints reports each separately while the control API resets them together.
 */
export class StatsGroup<K extends string> {
  readonly #recorders: Map<K, StatsRecorder>;

  /** @param kinds the endpoint kinds, in the order snapshots list them. */
  constructor(kinds: readonly K[]) {
    this.#recorders = new Map(kinds.map((kind) => [kind, new StatsRecorder()]));
  }

  /** The recorder of one endpoint kind. */
  recorder(kind: K): StatsRecorder {
    const recorder = this.#recorders.get(kind);
    if (recorder === undefined) throw new Error(`unknown stats kind '${kind}'`);
    return recorder;
  }

  /** A detached copy of every kind's counters. */
  snapshot(): Record<K, EmulatorStats> {
    const out: Partial<Record<K, EmulatorStats>> = {};
    for (const [kind, recorder] of this.#recorders) out[kind] = recorder.snapshot();
    return out as Record<K, EmulatorStats>;
  }

  /** Zeroes every kind's counters. */
  reset(): void {
    for (const recorder of this.#recorders.values()) recorder.reset();
  }
}
