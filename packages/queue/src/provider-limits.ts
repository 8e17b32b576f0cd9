/**
 * How hard imagegate may drive each upstream, shared by every worker process (the counters live in
 * Redis) and read by ingress for backpressure and for the wait it tells clients. `PROVIDER_LIMITS`
 * overrides the defaults (what a new upstream account is allowed) entry by entry:
 * `openai=50rpm/20,google=120rpm/20,bfl=10rps/24/500` — requests per minute (`rpm`) or per second
 * (`rps`), then jobs in flight across all workers, then (optional) the most jobs that may wait in
 * the queue before new requests get 503 `overloaded`. docs/operations.md, "Sizing PROVIDER_LIMITS".
 */
export interface ProviderLimit {
  /** Most upstream generation calls in any sliding window of `windowMs`. */
  requests: number;
  windowMs: number;
  /** Most jobs in flight for this provider across every worker process. */
  concurrency: number;
  /** Most jobs waiting before ingress sheds load (default: ten minutes of work at the rate limit). */
  maxQueued: number;
}

export type ProviderLimits = ReadonlyMap<string, ProviderLimit>;

/** For a provider nobody configured. */
const FALLBACK_LIMIT = '60rpm/10';

const ENTRY = /^(\d+)(rpm|rps)\/(\d+)(?:\/(\d+))?$/;

function parseLimit(text: string, where: string): ProviderLimit {
  const match = ENTRY.exec(text.trim());
  if (!match) throw new Error(`${where}: expected <n>rpm/<concurrency>[/<max queued>] or <n>rps/…, got '${text}'`);
  const [, count, unit, concurrency, maxQueued] = match;
  const requests = Number(count);
  const windowMs = unit === 'rps' ? 1_000 : 60_000;
  if (requests < 1 || Number(concurrency) < 1) throw new Error(`${where}: limits must be at least 1`);
  return {
    requests,
    windowMs,
    concurrency: Number(concurrency),
    maxQueued: maxQueued === undefined ? Math.max(100, Math.ceil((requests * 600_000) / windowMs)) : Number(maxQueued),
  };
}

/**
 * The limits in force: the defaults, with `PROVIDER_LIMITS` entries on top. Throws on a malformed entry.
 * @param defaults each provider's own entry, e.g. `{ openai: '5rpm/5' }`: the provider definitions'
 *   `defaultLimits` (`defaultProviderLimits()` of `@imagegate/providers`).
 */
export function parseProviderLimits(
  text: string | undefined,
  defaults: Readonly<Record<string, string>>,
): ProviderLimits {
  const entries = new Map<string, string>(Object.entries(defaults));
  for (const part of (text ?? '').split(',')) {
    if (part.trim() === '') continue;
    const [provider, limit] = part.split('=');
    if (!provider?.trim() || limit === undefined)
      throw new Error(`PROVIDER_LIMITS: expected provider=limit, got '${part}'`);
    entries.set(provider.trim(), limit);
  }
  return new Map([...entries].map(([provider, limit]) => [provider, parseLimit(limit, `PROVIDER_LIMITS ${provider}`)]));
}

/** The limit as a person reads it: `5 requests/min, 5 at once`. */
export function describeLimit(limit: ProviderLimit): string {
  return `${describeRate(limit)}, ${limit.concurrency} at once`;
}

/** The rate alone: `5 requests/min`, `10 requests/s`. */
export function describeRate(limit: ProviderLimit): string {
  const unit = limit.windowMs === 1_000 ? 's' : 'min';
  return `${limit.requests} requests/${unit}`;
}

export function limitFor(limits: ProviderLimits, provider: string): ProviderLimit {
  return limits.get(provider) ?? parseLimit(FALLBACK_LIMIT, provider);
}
