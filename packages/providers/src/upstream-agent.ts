import { Agent } from 'undici';
import { UPSTREAM_DEFAULTS } from './upstream-defaults.ts';

/**
 * One keep-alive connection pool per upstream: the global fetch's default agent collapses at high
 * rates. undici's own 300 s header and body timeouts would cut a slow render (4K, Ultra, gpt-image-2
 * high) before our deadline, so they follow it.
 */
export function createUpstreamAgent(options: {
  connections?: number | undefined;
  timeoutMs?: number | undefined;
}): Agent {
  const timeoutMs = options.timeoutMs ?? UPSTREAM_DEFAULTS.timeoutMs;
  return new Agent({
    connections: options.connections ?? UPSTREAM_DEFAULTS.connections,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}
