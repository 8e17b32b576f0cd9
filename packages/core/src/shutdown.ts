import type { Logger } from './logger.ts';

/**
 * Runs `close` once on the first SIGTERM or SIGINT, then exits (0 when it closed cleanly). A second
 * signal during the drain is ignored; the orchestrator's kill timeout is the backstop.
 */
export function closeOnSignal(logger: Logger, close: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'draining');
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
