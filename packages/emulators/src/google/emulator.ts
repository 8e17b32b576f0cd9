import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController } from '../faults/fault-controller.ts';
import { handleControl } from '../http/control-routes.ts';
import type { ListenOptions } from '../http/start-http-server.ts';
import { splitUrl, startHttpServer } from '../http/start-http-server.ts';
import { trackCall } from '../http/tracked-call.ts';
import { ImageSource } from '../images/image-source.ts';
import { AccessTokenStore } from '../oauth/access-tokens.ts';
import type { ServiceAccountCredentials } from '../oauth/service-account.ts';
import { generateServiceAccountKey, serviceAccountCredentials } from '../oauth/service-account.ts';
import { handleTokenRequest } from '../oauth/token-endpoint.ts';
import { StatsGroup } from '../stats/stats-group.ts';
import type { EmulatorStats } from '../stats/stats-recorder.ts';
import { CLOUD_PLATFORM_SCOPE } from './auth.ts';
import { googleError } from './errors.ts';
import { GEMINI_LIST_PATH, listGeminiModels } from './list-models.ts';
import { sendGoogleError, sendGoogleJson } from './reply.ts';
import { routeGeneration } from './route-generation.ts';
import type { GoogleEndpointKind, RouterContext } from './router-context.ts';
import { matchGoogleRoute } from './routes.ts';

/** Options for {@link startGoogleEmulator}. */
export interface GoogleEmulatorOptions extends ListenOptions {
  /** The only Gemini API key accepted (`x-goog-api-key` or `?key=`). Default `AIzaSy-imagegate-emulator`. */
  apiKey?: string;
  /** The only Vertex project the service account may use. Default `imagegate-emulator`. */
  projectId?: string;
  /** Lifetime of access tokens from `/token`, seconds (Google: ~3600). Default 3599. */
  tokenLifetimeS?: number;
  /** Fixed latency added to every valid generation call, ms. Default 0. */
  latencyMs?: number;
  /** Minimum encoded size of every final image, bytes (noise padding). Default unset. */
  imageBytes?: number;
  /** Seed for the random fault rates' RNG. Default 1. */
  seed?: number;
}

/** Counters per endpoint kind. */
export type GoogleEmulatorStats = Record<GoogleEndpointKind, EmulatorStats>;

/** A listening Google emulator (Vertex Imagen + Gemini on Vertex and the Gemini API + OAuth). */
export interface RunningGoogleEmulator {
  /** Origin without a path, e.g. `http://127.0.0.1:4020`; use it as both API hosts' base URL. */
  url: string;
  port: number;
  /** The Gemini API key. */
  apiKey: string;
  /** The project Vertex URLs must name. */
  projectId: string;
  /** `${url}/token`, the OAuth2 token endpoint (also the service account's `token_uri`). */
  tokenUrl: string;
  /** Service-account key file contents whose RS256 assertions `/token` accepts. */
  serviceAccount: ServiceAccountCredentials;
  /** Scripted and random faults for the generation endpoints; also via `/__emulator/faults`. */
  faults: FaultController;
  /** A snapshot of each endpoint kind's counters. */
  stats(): GoogleEmulatorStats;
  /** Zeroes every counter (same as `DELETE /__emulator/stats`). */
  resetStats(): void;
  /**
   * Mints an access token directly, skipping the JWT exchange (handy for tests of expiry and
   * scopes). Defaults: the configured lifetime and the `cloud-platform` scope; 0 s is already expired.
   */
  issueAccessToken(options?: { lifetimeS?: number; scopes?: string[] }): string;
  /** Stops listening and destroys every open socket, hanging requests included. Idempotent. */
  close(): Promise<void>;
}

/** Control route serving {@link RunningGoogleEmulator.serviceAccount}. */
export const SERVICE_ACCOUNT_PATH = '/__emulator/service-account';
const KINDS: readonly GoogleEndpointKind[] = ['predict', 'vertexGenerateContent', 'geminiGenerateContent', 'token'];

/**
 * Starts an HTTP server speaking Vertex AI `:predict` (Imagen 4), `:generateContent` on Vertex and
 * on the Gemini API, and Google's OAuth2 JWT-bearer token endpoint, with the shared fault
 * vocabulary and prompt directives (see README).
 */
export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<RunningGoogleEmulator> {
  const apiKey = options.apiKey ?? 'AIzaSy-imagegate-emulator';
  const projectId = options.projectId ?? 'imagegate-emulator';
  const tokenLifetimeS = options.tokenLifetimeS ?? 3599;
  if (!Number.isInteger(tokenLifetimeS) || tokenLifetimeS < 1) {
    throw new Error('tokenLifetimeS must be an integer >= 1');
  }
  const key = await generateServiceAccountKey();
  const faults = new FaultController(options.seed === undefined ? {} : { seed: options.seed });
  const stats = new StatsGroup(KINDS);
  const tokens = new AccessTokenStore();
  const images = new ImageSource();
  // Filled in once the port is known. That happens in the microtasks right after listen() resolves,
  // before the event loop can dispatch a first request, so the handler never sees it unset.
  let context: RouterContext | undefined;

  const server = await startHttpServer(
    options,
    (req, res) => {
      if (context === undefined) throw new Error('emulator not ready');
      return route(req, res, context);
    },
    (res, error) => {
      const message = error instanceof Error ? error.message : String(error);
      sendGoogleError(res, googleError(500, 'INTERNAL', `Emulator failure: ${message}`));
    },
  );
  const tokenUrl = `${server.origin}/token`;
  const serviceAccount = serviceAccountCredentials(key, { projectId, tokenUrl });
  context = {
    projectId,
    serviceAccount,
    apiKey,
    tokens,
    stats,
    faults,
    render: { images, imageBytes: options.imageBytes ?? 0 },
    settings: { latencyMs: options.latencyMs ?? 0, faults, shutdown: server.shutdown },
    token: { key, clientEmail: serviceAccount.client_email, tokens, tokenUrl, tokenLifetimeS },
  };

  return {
    url: server.origin,
    port: server.port,
    apiKey,
    projectId,
    tokenUrl,
    serviceAccount,
    faults,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    issueAccessToken: (issue = {}) =>
      tokens.issue(issue.scopes ?? [CLOUD_PLATFORM_SCOPE], (issue.lifetimeS ?? tokenLifetimeS) * 1000),
    close: server.close,
  };
}

async function route(req: IncomingMessage, res: ServerResponse, context: RouterContext): Promise<void> {
  const { path, query } = splitUrl(req);
  const matched = matchGoogleRoute(path);
  switch (matched.kind) {
    case 'control': {
      // Lets shell scripts and other-language tests fetch the key file of a CLI-started emulator.
      if (path === SERVICE_ACCOUNT_PATH && req.method === 'GET') {
        return sendGoogleJson(res, 200, context.serviceAccount);
      }
      const reply = await handleControl(req, path, { faults: context.faults, stats: context.stats });
      return sendGoogleJson(res, reply.status, reply.body);
    }
    case 'token':
      return trackCall(
        res,
        context.stats.recorder('token'),
        context.settings.shutdown,
        () => handleTokenRequest(req, res, context.token),
        () => sendGoogleJson(res, 500, { error: 'internal_failure', error_description: 'Emulator failure.' }),
      );
    case 'vertex':
    case 'gemini':
      if (req.method === 'POST') return routeGeneration(req, res, query, matched, context);
      break;
    case 'unknown':
      if (req.method === 'GET' && GEMINI_LIST_PATH.test(path)) {
        const reply = listGeminiModels(req, query, context.apiKey);
        return sendGoogleJson(res, reply.status, reply.body);
      }
      break;
  }
  sendGoogleError(
    res,
    googleError(404, 'NOT_FOUND', `The requested URL ${req.method ?? 'GET'} ${path} was not found on this server.`),
  );
}
