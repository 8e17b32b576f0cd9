import type { ServerResponse } from 'node:http';
import type { StatsRecorder } from '../stats/stats-recorder.ts';

/**
 * Runs one request while keeping `stats` honest: counts the arrival, the final status (or
 * `aborted` when the client left first) and in-flight concurrency. `work` receives a signal that
 * aborts when the client goes away or the emulator shuts down, so sleeps and hangs end promptly.
 * @param onError answers 500 in the provider's envelope when `work` throws.
 */
export async function trackCall(
  res: ServerResponse,
  stats: StatsRecorder,
  shutdown: AbortSignal,
  work: (signal: AbortSignal) => Promise<void>,
  onError: (error: unknown) => void,
): Promise<void> {
  stats.callStarted();
  // `close` before the response ended means the client went away (abort, timeout, socket reset).
  const clientGone = new AbortController();
  res.once('close', () => clientGone.abort());
  try {
    await work(AbortSignal.any([clientGone.signal, shutdown]));
  } catch (error) {
    onError(error);
  } finally {
    stats.callFinished(res.writableEnded ? res.statusCode : 'aborted');
    // A hang released by shutdown has no response; make sure its socket does not linger.
    if (!res.writableEnded) res.destroy();
  }
}
