import type { ErrorFaultStatus, FaultDecision, FaultOutcome } from './fault-types.ts';
import { ERROR_FAULT_STATUSES } from './fault-types.ts';

/** Result of scanning a prompt for `[emulate:…]` directives. */
export type DirectiveParse =
  | { kind: 'none' }
  | { kind: 'decision'; decision: FaultDecision }
  /** A directive was present but malformed; emulators answer 400 so typos never pass silently. */
  | { kind: 'invalid'; directive: string; reason: string };

const DIRECTIVE = /\[emulate:([^\]]*)\]/gi;
const DEFAULT_RETRY_AFTER_S = 1;
/** Upper bound on directive latency so a typo cannot park a test for hours. */
const MAX_DIRECTIVE_LATENCY_MS = 600_000;

/**
 * Reads per-request fault directives from a prompt, so an end-to-end test through the gateway can
 * trigger one fault without touching the emulator's shared queue. Supported forms:
 * `[emulate:ok]`, `[emulate:moderation]`, `[emulate:<status>]` (400|401|403|404|500|502|503),
 * `[emulate:429]`, `[emulate:429:retry-after=<s>]`, `[emulate:insufficient_quota]`,
 * `[emulate:hang]`, `[emulate:latency=<ms>]`, `[emulate:partial=<k>]`, `[emulate:filtered]`,
 * `[emulate:filtered=<k>]` (output safety filter keeping k images) and `[emulate:failed]`.
 * Latency directives add up and combine with one outcome directive; two outcome directives conflict.
 */
export function parseFaultDirectives(prompt: string): DirectiveParse {
  // Cheap pre-check: almost every benchmark prompt has no directive.
  if (!/\[emulate:/i.test(prompt)) return { kind: 'none' };
  let outcome: FaultOutcome | undefined;
  let addedLatencyMs = 0;
  let found = false;
  for (const match of prompt.matchAll(DIRECTIVE)) {
    found = true;
    const raw = match[0];
    const body = (match[1] ?? '').trim().toLowerCase();
    const latency = /^latency=(\d+)$/.exec(body);
    if (latency) {
      addedLatencyMs += Math.min(Number(latency[1]), MAX_DIRECTIVE_LATENCY_MS);
      continue;
    }
    const parsed = parseOutcome(body);
    if (parsed === undefined) return { kind: 'invalid', directive: raw, reason: 'unknown emulator directive' };
    if (outcome !== undefined) return { kind: 'invalid', directive: raw, reason: 'conflicting emulator directives' };
    outcome = parsed;
  }
  if (!found) return { kind: 'none' };
  return { kind: 'decision', decision: { outcome: outcome ?? { type: 'ok' }, addedLatencyMs, source: 'directive' } };
}

function parseOutcome(body: string): FaultOutcome | undefined {
  switch (body) {
    case 'ok':
      return { type: 'ok' };
    case 'moderation':
      return { type: 'moderation' };
    case 'hang':
      return { type: 'hang' };
    case 'insufficient_quota':
      return { type: 'insufficient_quota' };
    case 'filtered':
      return { type: 'filtered' };
    case 'failed':
      return { type: 'failed' };
    case '429':
      return { type: 'rate_limit', retryAfterS: DEFAULT_RETRY_AFTER_S };
  }
  const retry = /^429:retry-after=(\d+(?:\.\d+)?)$/.exec(body);
  if (retry) return { type: 'rate_limit', retryAfterS: Number(retry[1]) };
  const partial = /^partial=(\d+)$/.exec(body);
  if (partial) return { type: 'partial', images: Number(partial[1]) };
  const filtered = /^filtered=(\d+)$/.exec(body);
  if (filtered) return { type: 'filtered', images: Number(filtered[1]) };
  if (/^\d{3}$/.test(body)) {
    const status = Number(body);
    if (isErrorFaultStatus(status)) return { type: 'error', status };
  }
  return undefined;
}

/** Narrows a number to one of the statuses `{type:'error'}` supports. */
export function isErrorFaultStatus(status: number): status is ErrorFaultStatus {
  return (ERROR_FAULT_STATUSES as readonly number[]).includes(status);
}
