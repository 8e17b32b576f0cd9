import type { IncomingMessage } from 'node:http';
import type { FaultController } from '../faults/fault-controller.ts';
import { parseFaultConfig } from '../faults/parse-fault-config.ts';
import { readBody } from './read-body.ts';

/** Path prefix of the emulator's own control API; never used by real providers. */
export const CONTROL_PREFIX = '/__emulator/';

/** What a control route answers: status and a JSON body. */
export interface ControlReply {
  status: number;
  body: unknown;
}

/** Anything that can report and reset counters: a `StatsRecorder`, a `StatsGroup`, or a composite. */
export interface ControlStats {
  snapshot(): unknown;
  reset(): void;
}

/** The shared state the control API manipulates. */
export interface ControlDeps {
  faults: FaultController;
  stats: ControlStats;
  /** When each streamed partial went out (`GET /__emulator/partials`), where the emulator streams. */
  partials?: () => unknown;
}

const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

/**
 * Provider-neutral control API, so shell scripts and other-language tests can steer an emulator:
 * `GET|POST|DELETE /__emulator/faults` (POST appends `script`, replaces `rates`/`latencyMs`),
 * `GET|DELETE /__emulator/stats`, `GET /__emulator/health`. No auth: emulators bind to localhost.
 */
export async function handleControl(req: IncomingMessage, path: string, deps: ControlDeps): Promise<ControlReply> {
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /__emulator/health':
      return { status: 200, body: { ok: true } };
    case 'GET /__emulator/faults':
      return { status: 200, body: deps.faults.state() };
    case 'DELETE /__emulator/faults':
      deps.faults.reset();
      return { status: 200, body: deps.faults.state() };
    case 'POST /__emulator/faults': {
      const read = await readBody(req, MAX_CONTROL_BODY_BYTES);
      if (!read.ok) return { status: 413, body: { error: { message: 'fault config too large or aborted' } } };
      let json: unknown;
      try {
        json = read.body.length === 0 ? {} : JSON.parse(read.body.toString('utf8'));
      } catch {
        return { status: 400, body: { error: { message: 'fault config is not valid JSON' } } };
      }
      const parsed = parseFaultConfig(json);
      if (!parsed.ok) return { status: 400, body: { error: { message: parsed.message } } };
      deps.faults.configure(parsed.config);
      return { status: 200, body: deps.faults.state() };
    }
    case 'GET /__emulator/stats':
      return { status: 200, body: deps.stats.snapshot() };
    case 'DELETE /__emulator/stats':
      deps.stats.reset();
      return { status: 200, body: deps.stats.snapshot() };
    case 'GET /__emulator/partials':
      if (deps.partials !== undefined) return { status: 200, body: deps.partials() };
      return { status: 404, body: { error: { message: 'this emulator does not stream partials' } } };
    default:
      return { status: 404, body: { error: { message: `Unknown control route ${route}` } } };
  }
}
