/** Counters an emulator keeps about its generation endpoint. */
export interface EmulatorStats {
  /** Generation requests received (any outcome, including 401/400). */
  calls: number;
  /** Finished generation requests by HTTP status (`"200"`, `"429"`, …); `"aborted"` when the client left first. */
  byStatus: Record<string, number>;
  /** Arrival time (epoch ms) of each generation request, oldest first; capped at the newest 100,000. */
  callTimes: number[];
  /** The last 50 parsed JSON bodies of generation requests, oldest first. */
  lastRequests: unknown[];
  /** Generation requests currently being processed (including hanging ones). */
  inFlight: number;
  /** Highest `inFlight` seen since the last reset, for concurrency-limit tests. */
  maxInFlight: number;
}

const MAX_CALL_TIMES = 100_000;
const MAX_LAST_REQUESTS = 50;

/** Mutable recorder behind `RunningEmulator.stats()` and `GET /__emulator/stats`. */
export class StatsRecorder {
  #calls = 0;
  #byStatus: Record<string, number> = {};
  #callTimes: number[] = [];
  #lastRequests: unknown[] = [];
  #inFlight = 0;
  #maxInFlight = 0;

  /** Records the arrival of a generation request. */
  callStarted(nowMs: number = Date.now()): void {
    this.#calls++;
    this.#inFlight++;
    if (this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight;
    this.#callTimes.push(nowMs);
    // Trim in batches so a long benchmark pays O(1) amortised instead of shifting every call.
    if (this.#callTimes.length > 2 * MAX_CALL_TIMES) this.#callTimes = this.#callTimes.slice(-MAX_CALL_TIMES);
  }

  /** Records the end of a generation request with its status, or `'aborted'`. */
  callFinished(status: number | 'aborted'): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const key = String(status);
    this.#byStatus[key] = (this.#byStatus[key] ?? 0) + 1;
  }

  /** Remembers a parsed request body. */
  requestBody(body: unknown): void {
    this.#lastRequests.push(body);
    if (this.#lastRequests.length > MAX_LAST_REQUESTS) this.#lastRequests.shift();
  }

  /** Zeroes all counters. Requests still in flight keep counting as in flight. */
  reset(): void {
    this.#calls = 0;
    this.#byStatus = {};
    this.#callTimes = [];
    this.#lastRequests = [];
    this.#maxInFlight = this.#inFlight;
  }

  /** A detached copy, safe to keep or serialise. */
  snapshot(): EmulatorStats {
    return {
      calls: this.#calls,
      byStatus: { ...this.#byStatus },
      callTimes: this.#callTimes.slice(-MAX_CALL_TIMES),
      lastRequests: [...this.#lastRequests],
      inFlight: this.#inFlight,
      maxInFlight: this.#maxInFlight,
    };
  }
}
