import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A service in its own process, started exactly as production starts it (its `main.ts`). */
export interface ServiceProcess {
  pid: number;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its log lines so far (pino JSON), parsed. */
  logs(): Record<string, unknown>[];
  /** Sends `signal` (SIGKILL: a crash; SIGTERM: a deploy) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node <main>` (a path from the repository root) with `env` and waits until it logs a line
 * whose `msg` is `readyMessage`. Logs at info level unless `env.LOG_LEVEL` says otherwise.
 */
export async function spawnServiceProcess(
  main: string,
  readyMessage: string,
  env: Record<string, string | undefined>,
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, LOG_LEVEL: env.LOG_LEVEL === 'silent' ? 'info' : (env.LOG_LEVEL ?? 'info') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = await Promise.race([
    (async () => {
      while (!lines.some((line) => line.msg === readyMessage)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    })(),
    exited.then(() => false),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000).unref()),
  ]);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`${main} did not start: ${stderr}`);
  }
  return {
    pid: child.pid ?? -1,
    exited,
    logs: () => lines,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
