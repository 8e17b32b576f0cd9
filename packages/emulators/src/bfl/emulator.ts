import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController } from '../faults/fault-controller.ts';
import { handleControl } from '../http/control-routes.ts';
import { sendJsonBody } from '../http/send-body.ts';
import type { ListenOptions } from '../http/start-http-server.ts';
import { splitUrl, startHttpServer } from '../http/start-http-server.ts';
import { ImageSource } from '../images/image-source.ts';
import type { BflEmulatorStats } from './bfl-stats.ts';
import { BflStatsTracker } from './bfl-stats.ts';
import { handleDelivery } from './delivery-handler.ts';
import { DeliverySigner } from './delivery-signer.ts';
import type { BflDeps } from './deps.ts';
import { DEFAULT_POLL_PATH, REGIONAL_POLL_PATH } from './deps.ts';
import { isBflModel } from './models.ts';
import { sendBflError } from './replies.ts';
import { handleResult } from './result-handler.ts';
import { handleSubmit } from './submit-handler.ts';
import { TaskStore } from './task-store.ts';

/** Options for {@link startBflEmulator}. */
export interface BflEmulatorOptions extends ListenOptions {
  /** The only key accepted in `x-key`. Default `bfl-emulator`. */
  apiKey?: string;
  /** Fixed latency added to every valid submission, ms. Default 0. */
  latencyMs?: number;
  /** How long a task stays `Pending` before it resolves, ms. Default 1000. */
  renderMs?: number;
  /** How long a `result.sample` URL stays valid after the task became `Ready`, ms. Default 600 000 (BFL: ~10 min). */
  resultTtlMs?: number;
  /** Minimum encoded size of every image, bytes (noise padding). Default unset. */
  imageBytes?: number;
  /** Seed for the random fault rates' RNG. Default 1. */
  seed?: number;
}

/** A listening BFL emulator. */
export interface RunningBflEmulator {
  /** Origin without a path, e.g. `http://127.0.0.1:4030`; submit to `${url}/v1/flux-2-pro`. */
  url: string;
  port: number;
  apiKey: string;
  /** Scripted and random faults for submissions; also via `/__emulator/faults`. */
  faults: FaultController;
  /** Counters for submit, poll and delivery, plus per-task poll history. */
  stats(): BflEmulatorStats;
  /** Zeroes the counters and the per-task poll history (tasks themselves stay pollable). */
  resetStats(): void;
  /** Stops listening and destroys every open socket. Idempotent. */
  close(): Promise<void>;
}

const SUBMIT_PATH = /^\/v1\/([A-Za-z0-9.-]+)$/;

/**
 * Starts an HTTP server speaking BFL's asynchronous API: submit (`POST /v1/{model}`), poll
 * (`polling_url` / `GET /v1/get_result`) and signed, expiring delivery URLs, with the shared
 * fault vocabulary and prompt directives (see README).
 */
export async function startBflEmulator(options: BflEmulatorOptions = {}): Promise<RunningBflEmulator> {
  const apiKey = options.apiKey ?? 'bfl-emulator';
  const faults = new FaultController(options.seed === undefined ? {} : { seed: options.seed });
  const stats = new BflStatsTracker();
  const tasks = new TaskStore();
  let deps: BflDeps | undefined;
  const server = await startHttpServer(
    options,
    (req, res) => {
      if (deps === undefined) throw new Error('emulator not ready');
      return route(req, res, deps);
    },
    (res) => sendBflError(res, { status: 500, detail: 'Internal Server Error' }),
  );
  deps = {
    apiKey,
    origin: server.origin,
    latencyMs: options.latencyMs ?? 0,
    renderMs: options.renderMs ?? 1000,
    resultTtlMs: options.resultTtlMs ?? 600_000,
    imageBytes: options.imageBytes ?? 0,
    faults,
    stats,
    tasks,
    images: new ImageSource(),
    signer: new DeliverySigner(),
    shutdown: server.shutdown,
  };
  const snapshot = (): BflEmulatorStats => stats.snapshot((id) => tasks.statusOf(id));
  return {
    url: server.origin,
    port: server.port,
    apiKey,
    faults,
    stats: snapshot,
    resetStats: () => stats.reset(),
    close: server.close,
  };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: BflDeps): Promise<void> {
  const { path, query } = splitUrl(req);
  const method = req.method ?? 'GET';
  if (path.startsWith('/__emulator/')) {
    const snapshot = {
      snapshot: () => deps.stats.snapshot((id) => deps.tasks.statusOf(id)),
      reset: () => deps.stats.reset(),
    };
    const reply = await handleControl(req, path, { faults: deps.faults, stats: snapshot });
    return sendJsonBody(res, reply.status, reply.body);
  }
  if (path === DEFAULT_POLL_PATH || path === REGIONAL_POLL_PATH) {
    if (method === 'GET') return handleResult(res, query, path === REGIONAL_POLL_PATH, deps);
    return sendBflError(res, { status: 405, detail: 'Method Not Allowed' });
  }
  if (path.startsWith('/delivery/') && method === 'GET') return handleDelivery(res, path, query, deps);
  const model = SUBMIT_PATH.exec(path)?.[1];
  if (model !== undefined && isBflModel(model)) {
    if (method === 'POST') return handleSubmit(req, res, model, deps);
    return sendBflError(res, { status: 405, detail: 'Method Not Allowed' });
  }
  sendBflError(res, { status: 404, detail: 'Not Found' });
}
