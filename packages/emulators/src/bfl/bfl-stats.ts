import { StatsGroup } from '../stats/stats-group.ts';
import type { EmulatorStats } from '../stats/stats-recorder.ts';
import type { BflStatus } from './task-store.ts';

/** Polling history of one task, for asserting that clients back off instead of busy-waiting. */
export interface BflTaskPolls {
  model: string;
  /** Status at snapshot time. */
  status: BflStatus;
  /** `get_result` calls for this id since the last reset. */
  polls: number;
  /** Arrival time (epoch ms) of each poll, oldest first (at most the last 1,000). */
  pollTimes: number[];
}

/** Counters of the BFL emulator. */
export interface BflEmulatorStats {
  /** `POST /v1/{model}`. */
  submit: EmulatorStats;
  /** `GET …/get_result`, on either path. */
  poll: EmulatorStats;
  /** `GET /delivery/…` downloads. */
  delivery: EmulatorStats;
  /** Polls that used the regional path from `polling_url` (the rest used `/v1/get_result`). */
  pollsViaPollingUrl: number;
  /** Per task submitted since the last reset (newest 1,000). */
  tasks: Record<string, BflTaskPolls>;
}

const MAX_TRACKED_TASKS = 1_000;
const MAX_POLL_TIMES = 1_000;

/** Recorders per endpoint plus the per-task poll log. */
export class BflStatsTracker {
  readonly group = new StatsGroup(['submit', 'poll', 'delivery'] as const);
  readonly #tasks = new Map<string, { model: string; polls: number; pollTimes: number[] }>();
  #viaPollingUrl = 0;

  /** Starts the poll log of a newly submitted task. */
  taskSubmitted(id: string, model: string): void {
    this.#tasks.set(id, { model, polls: 0, pollTimes: [] });
    if (this.#tasks.size > MAX_TRACKED_TASKS) {
      const oldest = this.#tasks.keys().next();
      if (!oldest.done) this.#tasks.delete(oldest.value);
    }
  }

  /** Records one poll of `id` (known or not). */
  polled(id: string, viaPollingUrl: boolean, nowMs: number = Date.now()): void {
    if (viaPollingUrl) this.#viaPollingUrl++;
    const entry = this.#tasks.get(id);
    if (entry === undefined) return;
    entry.polls++;
    entry.pollTimes.push(nowMs);
    if (entry.pollTimes.length > MAX_POLL_TIMES) entry.pollTimes.shift();
  }

  /** A detached copy; `statusOf` reports each task's current status. */
  snapshot(statusOf: (id: string) => BflStatus): BflEmulatorStats {
    const tasks: Record<string, BflTaskPolls> = {};
    for (const [id, entry] of this.#tasks) {
      tasks[id] = { model: entry.model, status: statusOf(id), polls: entry.polls, pollTimes: [...entry.pollTimes] };
    }
    return { ...this.group.snapshot(), pollsViaPollingUrl: this.#viaPollingUrl, tasks };
  }

  /** Zeroes the counters and forgets the per-task log. */
  reset(): void {
    this.group.reset();
    this.#tasks.clear();
    this.#viaPollingUrl = 0;
  }
}
