import { type ServiceProcess, spawnServiceProcess } from './service-process.ts';

/** A provider worker in its own process, started exactly as production starts it (`main.ts`). */
export type WorkerProcess = ServiceProcess;

/**
 * Spawns `node services/provider-worker/src/main.ts` with `env` (the stack's, plus overrides) and
 * waits until it serves its queues. Logs at info level unless `env.LOG_LEVEL` says otherwise.
 */
export function spawnWorkerProcess(env: Record<string, string | undefined>): Promise<WorkerProcess> {
  return spawnServiceProcess('services/provider-worker/src/main.ts', 'provider worker running', env);
}
