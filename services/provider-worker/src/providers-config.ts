import { readFileSync } from 'node:fs';
import type { ProvidersConfig } from '@imagegate/providers';
import type { WorkerConfig } from './config.ts';

/** Each upstream whose credentials the environment names; the others are simply not served. */
export function providersConfigFrom(config: WorkerConfig): ProvidersConfig {
  const timeoutMs = config.UPSTREAM_TIMEOUT_MS;
  return {
    openai: config.OPENAI_API_KEY
      ? { apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, timeoutMs }
      : undefined,
    google: googleConfigFrom(config),
    bfl: config.BFL_API_KEY
      ? {
          apiKey: config.BFL_API_KEY,
          baseURL: config.BFL_BASE_URL,
          timeoutMs,
          pollIntervalMs: config.BFL_POLL_INTERVAL_MS,
          maxPollIntervalMs: config.BFL_MAX_POLL_INTERVAL_MS,
        }
      : undefined,
  };
}

function googleConfigFrom(config: WorkerConfig): ProvidersConfig['google'] {
  // Empty values count as unset (docker compose passes `${VAR:-}` through as "").
  const credentialsFile = config.GOOGLE_APPLICATION_CREDENTIALS || undefined;
  if (credentialsFile === undefined && !config.GEMINI_API_KEY) return undefined;
  let vertex: NonNullable<ProvidersConfig['google']>['vertex'];
  if (credentialsFile !== undefined) {
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { project_id?: string } & NonNullable<
      NonNullable<ProvidersConfig['google']>['vertex']
    >['credentials'];
    const project = config.GOOGLE_CLOUD_PROJECT || credentials.project_id;
    if (project === undefined) {
      throw new Error('GOOGLE_CLOUD_PROJECT is not set and the service-account key names no project_id.');
    }
    vertex = {
      credentials,
      project,
      location: config.GOOGLE_CLOUD_LOCATION,
      geminiLocation: config.GOOGLE_GEMINI_LOCATION,
      baseURL: config.VERTEX_BASE_URL,
    };
  }
  return {
    vertex,
    geminiApi: config.GEMINI_API_KEY ? { apiKey: config.GEMINI_API_KEY, baseURL: config.GEMINI_BASE_URL } : undefined,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  };
}
