/** Abort controllers of the jobs this process is running, so a cancel request can stop one. */
export class Cancellations {
  readonly #running = new Map<string, AbortController>();

  begin(jobId: string): AbortSignal {
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    return controller.signal;
  }

  end(jobId: string): void {
    this.#running.delete(jobId);
  }

  cancel(jobId: string): void {
    this.#running.get(jobId)?.abort(new Error('canceled'));
  }
}
