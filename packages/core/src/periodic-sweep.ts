import type { Logger } from './logger.ts';

export interface PeriodicSweep {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `sweep` every `intervalMs`, one at a time: a slow sweep is not joined by the next tick's.
 * A failed sweep is logged and the next tick tries again. The timer does not keep the process alive.
 */
export function startPeriodicSweep(
  sweep: () => Promise<unknown>,
  options: { intervalMs: number; logger: Logger; name: string },
): PeriodicSweep {
  let sweeping: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = sweep()
      .catch((error: unknown) => options.logger.warn({ err: error }, `${options.name} failed`))
      .finally(() => {
        sweeping = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
