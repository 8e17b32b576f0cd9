import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, generateSecretKey } from '@imagegate/core';
import type {
  BflEmulatorOptions,
  GoogleEmulatorOptions,
  OpenAIEmulatorOptions,
  RunningBflEmulator,
  RunningEmulator,
  RunningGoogleEmulator,
} from '@imagegate/emulators';
import { loadIngressConfig, type RunningIngress, startIngressFromConfig } from '@imagegate/ingress';
import { freePort } from '@imagegate/local';
import {
  loadWorkerConfig,
  type RunningProviderWorker,
  startProviderWorkerFromConfig,
} from '@imagegate/provider-worker';
import {
  bflProvider,
  googleProvider,
  openaiProvider,
  PROVIDERS,
  type RunningProviderEmulator,
  startProviderEmulator,
} from '@imagegate/providers';
import { workerHeartbeatKey } from '@imagegate/queue';
import {
  loadSettlementConfig,
  type RunningSettlementWorker,
  type SettlementFaults,
  startSettlementWorkerFromConfig,
} from '@imagegate/settlement-worker';
import { createLocalObjectStore, type ObjectStore } from '@imagegate/storage';
import { createTelemetry, parseTelemetryConfig, type Telemetry, tracingOptionsOf } from '@imagegate/telemetry';
import {
  createTestBucket,
  createTestDatabase,
  createTestRedis,
  findMoneyViolations,
  type TestDatabase,
  type TestRedis,
  testServices,
  waitForSettlements,
} from '@imagegate/testing';
import {
  loadWebhookWorkerConfig,
  type RunningWebhookWorker,
  startWebhookWorkerFromConfig,
} from '@imagegate/webhook-worker';
import type { HostResolver } from '@imagegate/webhooks';

export interface TestAccount {
  accountId: string;
  apiKey: string;
  keyId: string;
  /** The account's `whsec_…` secret, to verify its webhooks. */
  webhookSecret: string;
}

export interface TestStack {
  /** The ingress, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** What an OpenAI client takes as `baseURL`. */
  baseURL: string;
  adminToken: string;
  /** The environment the services were configured from (to start another worker like them). */
  env: Record<string, string | undefined>;
  /** Every provider's emulator, by provider name (the three below are the same objects, typed). */
  emulators: ReadonlyMap<string, RunningProviderEmulator>;
  /** The OpenAI emulator. */
  emulator: RunningEmulator;
  /** Vertex (Imagen, Gemini) and the Gemini API; the worker uses Vertex. */
  google: RunningGoogleEmulator;
  bfl: RunningBflEmulator;
  database: TestDatabase;
  redis: TestRedis;
  store: ObjectStore;
  ingress: RunningIngress;
  worker: RunningProviderWorker;
  /** The settlement worker; a test may replace it (stop() closes whichever is here). */
  settlement: RunningSettlementWorker;
  /** The webhook worker; a test may replace it (stop() closes whichever is here). */
  webhooks: RunningWebhookWorker;
  /** Creates an account (default starter credit $100) with one API key. */
  createAccount(name?: string, starterCreditUsd?: number): Promise<TestAccount>;
  /** Restarts the ingress with extra environment (e.g. another CATALOG_FILE). */
  restartIngress(env: Record<string, string>): Promise<void>;
  /**
   * Makes ingress take jobs for `provider` though no worker serves it (a worker's heartbeat), so a
   * test can keep jobs queued or play a worker itself.
   */
  pretendServed(provider: string): Promise<void>;
  /** The metrics and tracing every service of the stack shares (the ingress's `/metrics` shows them all). */
  telemetry: Telemetry;
  /** Fetch with the admin token. */
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  /** Options of the OpenAI emulator. */
  emulator?: OpenAIEmulatorOptions;
  google?: GoogleEmulatorOptions;
  bfl?: BflEmulatorOptions;
  /** Extra environment for both services (e.g. `{ SYNC_WAIT_MAX_S: '2' }`). */
  env?: Record<string, string>;
  /** Crash points for the settlement worker (tests of exactly-once settlement). */
  settlementFaults?: SettlementFaults;
  /** DNS for the webhook URL guard, in the ingress and the webhook worker. */
  resolveHost?: HostResolver;
  /** Run the provider worker in this process (default true); false when a test runs its own workers. */
  providerWorker?: boolean;
  /**
   * `s3` (default): a bucket of its own on the run's S3. `local`: the single-machine default, a
   * directory of its own served by the ingress at `http://localhost:<port>`.
   */
  imageStore?: 's3' | 'local';
}

/** The object store's part of the services' environment, and the store itself. */
async function openTestStore(kind: 's3' | 'local'): Promise<{ store: ObjectStore; env: Record<string, string> }> {
  if (kind === 's3') {
    const { s3 } = testServices();
    const store = await createTestBucket();
    const env: Record<string, string | undefined> = {
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_BUCKET: store.bucket,
    };
    return {
      store,
      env: Object.fromEntries(Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]]))),
    };
  }
  // The URLs name the ingress's port, so it is chosen first (as `./imagegate.sh start` does).
  const port = await freePort();
  const env = {
    IMAGE_STORE: 'local',
    IMAGE_STORE_DIR: mkdtempSync(join(tmpdir(), 'imagegate-stack-images-')),
    IMAGE_URL_SECRET: randomBytes(32).toString('base64url'),
    PUBLIC_BASE_URL: `http://localhost:${port}`,
    PORT: String(port),
  };
  const store = createLocalObjectStore({
    directory: env.IMAGE_STORE_DIR,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    urlSecret: env.IMAGE_URL_SECRET,
  });
  await store.ensureBucket();
  return { store, env };
}

/**
 * The whole pipeline in this process, on a database, Redis prefix and bucket of its own, with the
 * OpenAI emulator as the upstream. Services are configured exactly as `main.ts` configures them:
 * from environment-shaped records.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const secrets = mkdtempSync(join(tmpdir(), 'imagegate-stack-'));
  const [emulated, database, redis, storage] = await Promise.all([
    startEmulators(options, secrets),
    createTestDatabase(),
    createTestRedis(),
    openTestStore(options.imageStore ?? 's3'),
  ]);
  const { store } = storage;
  const adminToken = `admin-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const env: Record<string, string | undefined> = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    ...emulated.env,
    ADMIN_TOKEN: adminToken,
    IMAGEGATE_SECRET_KEY: generateSecretKey(),
    PORT: '0',
    ...storage.env,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
    // Far above what a test sends (the defaults are a new upstream account's, a few calls a minute):
    // only the tests of the limits themselves meet them. A test's own entries come after, so win.
    PROVIDER_LIMITS: [
      ...PROVIDERS.map((definition) => `${definition.name}=100000rpm/500`),
      ...(options.env?.PROVIDER_LIMITS ? [options.env.PROVIDER_LIMITS] : []),
    ].join(','),
  };
  const { openai: emulator, google, bfl } = emulated.typed;
  const logger = createLogger({ level: env.LOG_LEVEL });
  // Shared, as `./imagegate.sh start` shares it: one /metrics for the whole pipeline.
  const telemetry = await createTelemetry(tracingOptionsOf(parseTelemetryConfig(env), 'imagegate'));
  const worker =
    options.providerWorker === false
      ? noProviderWorker()
      : await startProviderWorkerFromConfig(loadWorkerConfig(env), logger, { telemetry });
  const settlement = await startSettlementWorkerFromConfig(
    loadSettlementConfig(env),
    logger,
    options.settlementFaults,
    { telemetry },
  );
  const webhooks = await startWebhookWorkerFromConfig(loadWebhookWorkerConfig(env), logger, {
    resolveHost: options.resolveHost,
    telemetry,
  });
  let ingress = await startIngressFromConfig(loadIngressConfig(env), logger, {
    resolveHost: options.resolveHost,
    telemetry,
  });

  async function admin(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
    return fetch(`${stack.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  const stack: TestStack = {
    url: ingress.url,
    baseURL: `${ingress.url}/v1`,
    adminToken,
    env,
    emulators: emulated.all,
    emulator,
    google,
    bfl,
    database,
    redis,
    store,
    ingress,
    worker,
    settlement,
    webhooks,
    telemetry,
    admin,
    async pretendServed(provider) {
      await redis.redis.set(workerHeartbeatKey(redis.prefix, provider), 'test', 'PX', 600_000);
    },
    async createAccount(name = 'test', starterCreditUsd = 100) {
      const account = (await (
        await admin('/admin/v1/accounts', { body: { name, starter_credit_usd: starterCreditUsd } })
      ).json()) as {
        id: string;
        webhook_secret: string;
      };
      const key = (await (
        await admin(`/admin/v1/accounts/${account.id}/api_keys`, { body: { name: 'k' } })
      ).json()) as {
        id: string;
        key: string;
      };
      return { accountId: account.id, apiKey: key.key, keyId: key.id, webhookSecret: account.webhook_secret };
    },
    async restartIngress(extra) {
      await ingress.close();
      Object.assign(env, extra, { PORT: String(new URL(ingress.url).port) });
      ingress = await startIngressFromConfig(loadIngressConfig(env), logger, {
        resolveHost: options.resolveHost,
        telemetry,
      });
      stack.ingress = ingress;
    },
    async stop() {
      // Every stack-based test file ends by checking the money invariant (docs/architecture.md) for every account.
      await waitForSettlements(database.pool);
      const violations = await findMoneyViolations(database.pool);
      await ingress.close();
      await worker.close();
      await stack.settlement.close();
      await stack.webhooks.close();
      await telemetry.tracing.shutdown();
      await Promise.all([...emulated.all.values()].map((running) => running.close()));
      rmSync(secrets, { recursive: true, force: true });
      await store.deleteBucket().catch(() => {});
      await redis.cleanup();
      await database.drop();
      if (violations.length > 0) {
        throw new Error(
          `money invariant broken: ${JSON.stringify(violations, (_key, value) => (typeof value === 'bigint' ? String(value) : value))}`,
        );
      }
    },
  };
  return stack;
}

/** Stands in for the provider worker when a test runs its own: no queues served, nothing to close. */
function noProviderWorker(): RunningProviderWorker {
  const nothing = async () => {};
  return {
    workers: [],
    reconciler: { sweep: async () => ({ reenqueued: 0, retried: 0, abandoned: 0 }), stop: nothing },
    close: nothing,
  };
}

/**
 * Every provider's emulator and the environment pointing each provider at its own. The three the
 * tests script are kept typed (`stack.emulator`, `stack.google`, `stack.bfl`); any other provider in
 * `PROVIDERS` is started too, and reached through `stack.emulators`.
 */
async function startEmulators(options: TestStackOptions, secrets: string) {
  const typed = new Set<string>([openaiProvider.name, googleProvider.name, bflProvider.name]);
  const [openai, google, bfl, ...others] = await Promise.all([
    startProviderEmulator(openaiProvider, 'test', secrets, options.emulator),
    startProviderEmulator(googleProvider, 'test', secrets, options.google),
    startProviderEmulator(bflProvider, 'test', secrets, options.bfl),
    ...PROVIDERS.filter((definition) => !typed.has(definition.name)).map((definition) =>
      startProviderEmulator<RunningProviderEmulator, unknown>(definition, 'test', secrets),
    ),
  ]);
  const started = [openai, google, bfl, ...others];
  return {
    all: new Map<string, RunningProviderEmulator>(started.map(({ name, running }) => [name, running])),
    env: Object.fromEntries(started.flatMap((entry) => Object.entries(entry.env))),
    typed: { openai: openai.running, google: google.running, bfl: bfl.running },
  };
}
