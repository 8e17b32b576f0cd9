import type { Readable } from 'node:stream';

/** Destroys `stream` when `signal` aborts (at once if it already has), and stops listening once the stream closes. */
export function destroyOnAbort(stream: Readable, signal: AbortSignal | undefined): void {
  if (signal === undefined) return;
  const onAbort = () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal.aborted) {
    onAbort();
    return;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', onAbort));
}
