/**
 * `pnpm start`: imagegate on one machine. Uses what the environment names and starts the rest:
 * embedded PostgreSQL, Redis (local or spawned), the local image store (a directory the ingress
 * serves at signed URLs) unless S3 is named, and each provider's emulator when the environment
 * holds no credentials for it. Then runs every service in this process.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, parseEnv, secretBoxFromEnv, secretKeyEnvSchema, usdToMicros } from '@imagegate/core';
import { createPool, migrate, resealWebhookSecrets } from '@imagegate/db';
import { loadIngressConfig, startIngressFromConfig } from '@imagegate/ingress';
import { loadWorkerConfig, startProviderWorkerThread } from '@imagegate/provider-worker';
import {
  createConfiguredProviders,
  PROVIDERS,
  type RunningProviderEmulator,
  startProviderEmulator,
} from '@imagegate/providers';
import { loadSettlementConfig, startSettlementWorkerFromConfig } from '@imagegate/settlement-worker';
import { objectStoreFromEnv } from '@imagegate/storage';
import { openTelemetry, parseTelemetryConfig } from '@imagegate/telemetry';
import { loadWebhookWorkerConfig, startWebhookWorkerFromConfig } from '@imagegate/webhook-worker';
import { loadLocalConfig } from './config.ts';
import { ensureDevCredentials } from './dev-credentials.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { freePort } from './free-port.ts';
import { resolveRedis } from './redis.ts';

const config = loadLocalConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'imagegate' });
const dataDir = config.IMAGEGATE_DATA_DIR ?? fileURLToPath(new URL('../../../.data', import.meta.url));
mkdirSync(dataDir, { recursive: true });
const stops: (() => Promise<void>)[] = [];
// The local store's URLs name the port, so it is chosen before anything starts.
const port = config.PORT === 0 ? await freePort() : config.PORT;
const env: Record<string, string | undefined> = { ...process.env, PORT: String(port) };

try {
  if (config.DATABASE_URL === undefined) {
    const postgres = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'postgres'),
      port: config.EMBEDDED_POSTGRES_PORT,
      logger,
    });
    stops.push(postgres.stop);
    env.DATABASE_URL = postgres.url;
    logger.info({ dataDir: join(dataDir, 'postgres') }, 'embedded PostgreSQL started');
  }
  const redis = await resolveRedis({ url: config.REDIS_URL, dataDir: join(dataDir, 'redis'), logger });
  stops.push(redis.stop);
  env.REDIS_URL = redis.url;
  logger.info({ source: redis.source }, 'Redis ready');

  const localStore = (config.IMAGE_STORE ?? ((config.S3_ENDPOINT ?? config.S3_BUCKET) ? 's3' : 'local')) === 'local';
  if (localStore) {
    Object.assign(env, {
      IMAGE_STORE: 'local',
      IMAGE_STORE_DIR: config.IMAGE_STORE_DIR ?? join(dataDir, 'images'),
      PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
    });
    logger.info({ dataDir: env.IMAGE_STORE_DIR, publicBaseUrl: env.PUBLIC_BASE_URL }, 'images kept on this machine');
  }
  // Each provider without credentials in the environment runs against its emulator. An emulator has
  // no upstream tier to respect: it is not held to the defaults (a new account's few calls a minute)
  // unless PROVIDER_LIMITS names it.
  const emulatedLimits: string[] = [];
  for (const definition of PROVIDERS) {
    if (createConfiguredProviders(env, {}, [definition]).size > 0) continue;
    const emulator = await startProviderEmulator<RunningProviderEmulator, unknown>(definition, 'local', dataDir);
    stops.push(emulator.running.close);
    Object.assign(env, emulator.env);
    emulatedLimits.push(`${definition.name}=600rpm/50`);
    logger.warn(
      { url: emulator.running.url },
      `${definition.name} has no credentials (${Object.keys(definition.envSchema.shape).join(', ')}): its models are EMULATED (generated test images, no cost)`,
    );
  }

  if (emulatedLimits.length > 0) env.PROVIDER_LIMITS = [...emulatedLimits, env.PROVIDER_LIMITS ?? ''].join(',');

  const pool = createPool(env.DATABASE_URL ?? '', { max: 2 });
  const applied = await migrate(pool);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const credentials = await ensureDevCredentials(pool, {
    file: join(dataDir, 'credentials.json'),
    adminToken: config.ADMIN_TOKEN,
    secretKey: config.IMAGEGATE_SECRET_KEY,
    imageUrlSecret: config.IMAGE_URL_SECRET,
    starterMicros: usdToMicros(config.STARTER_CREDIT_USD),
  });
  env.ADMIN_TOKEN = credentials.adminToken;
  env.IMAGEGATE_SECRET_KEY = credentials.secretKey;
  env.IMAGE_URL_SECRET = credentials.imageUrlSecret;
  // Webhook secrets written before they were encrypted, or under a key being rotated out.
  const resealed = await resealWebhookSecrets(pool, secretBoxFromEnv(parseEnv(secretKeyEnvSchema, env)));
  if (resealed > 0) logger.info({ resealed }, 'webhook secrets sealed under IMAGEGATE_SECRET_KEY');
  await pool.end();

  const workerConfig = loadWorkerConfig(env);
  const store = objectStoreFromEnv(workerConfig);
  await store.ensureBucket();
  await store
    .applyRetention(workerConfig.IMAGE_RETENTION_DAYS + 1)
    .catch((error: unknown) =>
      logger.warn({ err: error }, 'no lifecycle rule: only the retention sweep deletes old images'),
    );
  store.close();

  // One registry and tracer for every service here: the ingress's /metrics shows them all (and
  // METRICS_PORT, when set, serves the same).
  const opened = await openTelemetry(parseTelemetryConfig(env), 'imagegate');
  stops.unshift(opened.close);
  const { telemetry } = opened;
  // The provider worker runs in a thread of its own: decoding and storing upstream images (megabytes
  // of base64 each) never holds up the ingress's event loop (docs/architecture.md, "One process").
  const worker = await startProviderWorkerThread(env, {
    logLevel: config.LOG_LEVEL,
    logName: 'imagegate',
    metrics: telemetry.metrics,
    onExit: (error) => {
      logger.fatal({ err: error }, 'the provider worker thread stopped; stopping imagegate');
      stopAll().then(() => process.exit(1));
    },
  });
  stops.unshift(worker.close);
  const settlement = await startSettlementWorkerFromConfig(
    loadSettlementConfig(env),
    logger.child({ service: 'settlement-worker' }),
    undefined,
    { telemetry },
  );
  stops.unshift(settlement.close);
  const webhooks = await startWebhookWorkerFromConfig(
    loadWebhookWorkerConfig(env),
    logger.child({ service: 'webhook-worker' }),
    { telemetry },
  );
  stops.unshift(webhooks.close);
  const ingress = await startIngressFromConfig(loadIngressConfig(env), logger.child({ service: 'ingress' }), {
    telemetry,
  });
  stops.unshift(ingress.close);

  const lines = [
    '',
    `imagegate is ready at ${ingress.url}/v1`,
    `  Console: ${ingress.url}/console/ (sign in with the API key, or the ADMIN_TOKEN for the admin view)`,
    `  API key (${credentials.created ? 'new' : 'saved'} dev account): ${credentials.apiKey}`,
    credentials.adminTokenGenerated
      ? `  ADMIN_TOKEN (generated, kept in ${join(dataDir, 'credentials.json')}): ${credentials.adminToken}`
      : '',
    '',
    '  Try it:',
    `  curl -s ${ingress.url}/v1/images/generations \\`,
    `    -H "Authorization: Bearer ${credentials.apiKey}" -H "Content-Type: application/json" \\`,
    `    -d '{"model": "gpt-image-2.6-sunburst", "prompt": "a lighthouse at dusk", "response_format": "url"}'`,
    '',
  ];
  console.log(lines.filter((line, index) => line !== '' || index === 0 || lines[index - 1] !== '').join('\n'));
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'start failed');
  await stopAll();
  process.exit(1);
}

async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0))
    await stop().catch((error: unknown) => logger.warn({ err: error }, 'stop failed'));
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    stopAll().then(() => process.exit(0));
  });
}
