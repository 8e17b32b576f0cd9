import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController } from '../faults/fault-controller.ts';
import { CONTROL_PREFIX, handleControl } from '../http/control-routes.ts';
import { startHttpServer } from '../http/start-http-server.ts';
import { ImageSource } from '../images/image-source.ts';
import type { EmulatorStats } from '../stats/stats-recorder.ts';
import { StatsRecorder } from '../stats/stats-recorder.ts';
import { checkBearer } from './auth.ts';
import { handleEdit } from './edits-handler.ts';
import { openAIError } from './errors.ts';
import type { GenerationDeps } from './generation-deps.ts';
import { handleGeneration } from './generations-handler.ts';
import { LISTED_OPENAI_IMAGE_MODELS } from './models.ts';
import type { ReplyContext } from './reply.ts';
import { newReplyContext, sendError, sendJson } from './reply.ts';
import { partialSendLog } from './stream-images.ts';

/** Options for {@link startOpenAIEmulator}. */
export interface OpenAIEmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** The only key accepted as `Authorization: Bearer <key>`. Default `sk-emulator`. */
  apiKey?: string;
  /** Fixed latency added to every valid generation call, ms. Default 0. */
  latencyMs?: number;
  /**
   * Minimum encoded size of every image, bytes; images are padded with seeded noise to reach it
   * (benchmarks use 1 MiB / 8 MiB). Default unset: natural size (tens of KB).
   */
  imageBytes?: number;
  /** Seed for the random fault rates' RNG. Default 1. */
  seed?: number;
}

/** A listening emulator. */
export interface RunningEmulator {
  /** Base URL ending in `/v1`, ready for `new OpenAI({ baseURL })`, e.g. `http://127.0.0.1:4010/v1`. */
  url: string;
  port: number;
  apiKey: string;
  /** Scripted and random faults; also reachable via `/__emulator/faults`. */
  faults: FaultController;
  /** A snapshot of the generation endpoint's counters. */
  stats(): EmulatorStats;
  /** Zeroes the counters (same as `DELETE /__emulator/stats`). */
  resetStats(): void;
  /** Stops listening and destroys every open socket, hanging requests included. Idempotent. */
  close(): Promise<void>;
}

const GENERATIONS_PATH = '/v1/images/generations';
const EDITS_PATH = '/v1/images/edits';
const MODELS_PATH = '/v1/models';

/**
 * Starts an HTTP server speaking OpenAI's Images API wire format (`POST /v1/images/generations`)
 * so the official `openai` SDK can be pointed at it. Plain `node:http` for benchmark throughput.
 */
export async function startOpenAIEmulator(options: OpenAIEmulatorOptions = {}): Promise<RunningEmulator> {
  const apiKey = options.apiKey ?? 'sk-emulator';
  const faults = new FaultController(options.seed === undefined ? {} : { seed: options.seed });
  const stats = new StatsRecorder();
  const images = new ImageSource();
  const server = await startHttpServer(
    options,
    async (req, res, shutdown) => {
      const deps: GenerationDeps = {
        apiKey,
        latencyMs: options.latencyMs ?? 0,
        imageBytes: options.imageBytes ?? 0,
        faults,
        stats,
        images,
        shutdown,
      };
      const ctx = newReplyContext();
      try {
        await route(req, res, ctx, deps);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        sendError(res, ctx, openAIError(500, 'server_error', `Emulator failure: ${message}`));
      }
    },
    (res, error) => sendError(res, newReplyContext(), openAIError(500, 'server_error', String(error))),
  );

  return {
    url: `${server.origin}/v1`,
    port: server.port,
    apiKey,
    faults,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close: server.close,
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ReplyContext,
  deps: GenerationDeps,
): Promise<void> {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const method = req.method ?? 'GET';

  if (path === GENERATIONS_PATH && method === 'POST') return handleGeneration(req, res, ctx, deps);
  if (path === EDITS_PATH && method === 'POST') return handleEdit(req, res, ctx, deps);
  if (path.startsWith(CONTROL_PREFIX)) {
    const reply = await handleControl(req, path, { ...deps, partials: () => partialSendLog });
    return sendJson(res, ctx, reply.status, reply.body);
  }
  if (path === MODELS_PATH && method === 'GET') {
    const authError = checkBearer(req.headers.authorization, deps.apiKey);
    if (authError) return sendError(res, ctx, authError);
    const data = LISTED_OPENAI_IMAGE_MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'system' }));
    return sendJson(res, ctx, 200, { object: 'list', data });
  }
  sendError(res, ctx, openAIError(404, 'invalid_request_error', `Invalid URL (${method} ${path})`));
}
