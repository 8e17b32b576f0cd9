import type { FaultConfig, FaultRates, ScriptedFault } from './fault-types.ts';
import { isErrorFaultStatus } from './prompt-directives.ts';

/** Outcome of validating an untrusted fault configuration (e.g. from `POST /__emulator/faults`). */
export type FaultConfigParse = { ok: true; config: FaultConfig } | { ok: false; message: string };

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isProbability(value: unknown): value is number {
  return isNonNegative(value) && value <= 1;
}

/**
 * Validates a fault configuration received as JSON. Strict on purpose: a misspelt field in a test
 * setup should fail loudly instead of silently running without the fault.
 */
export function parseFaultConfig(input: unknown): FaultConfigParse {
  if (!isObject(input)) return { ok: false, message: 'fault config must be a JSON object' };
  const config: FaultConfig = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    if (key === 'script') {
      if (!Array.isArray(value)) return { ok: false, message: 'script must be an array' };
      const script: ScriptedFault[] = [];
      for (const [index, entry] of value.entries()) {
        const fault = parseScriptedFault(entry);
        if (typeof fault === 'string') return { ok: false, message: `script[${index}]: ${fault}` };
        script.push(fault);
      }
      config.script = script;
    } else if (key === 'rates') {
      const rates = parseRates(value);
      if (typeof rates === 'string') return { ok: false, message: `rates: ${rates}` };
      config.rates = rates;
    } else if (key === 'latencyMs') {
      if (!isNonNegative(value)) return { ok: false, message: 'latencyMs must be a number >= 0' };
      config.latencyMs = value;
    } else if (key === 'seed') {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return { ok: false, message: 'seed must be an integer' };
      config.seed = value;
    } else {
      return { ok: false, message: `unknown field '${key}'` };
    }
  }
  return { ok: true, config };
}

function parseRates(value: unknown): FaultRates | string {
  if (!isObject(value)) return 'must be an object';
  const rates: FaultRates = {};
  for (const [key, rate] of Object.entries(value)) {
    if (key === 'error500' || key === 'rateLimit429') {
      if (!isProbability(rate)) return `${key} must be a number in [0, 1]`;
      rates[key] = rate;
    } else if (key === 'retryAfterS') {
      if (!isNonNegative(rate)) return 'retryAfterS must be a number >= 0';
      rates.retryAfterS = rate;
    } else {
      return `unknown field '${key}'`;
    }
  }
  return rates;
}

/** Validates one scripted fault; returns an error message string when invalid. */
export function parseScriptedFault(entry: unknown): ScriptedFault | string {
  if (!isObject(entry)) return 'must be an object with a type';
  switch (entry.type) {
    case 'ok':
    case 'insufficient_quota':
    case 'hang':
      return { type: entry.type };
    case 'moderation': {
      const categories = entry.categories;
      if (categories === undefined || categories === null) return { type: 'moderation' };
      if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string')) {
        return 'categories must be an array of strings';
      }
      return { type: 'moderation', categories };
    }
    case 'error': {
      const { status, code, message } = entry;
      if (typeof status !== 'number' || !isErrorFaultStatus(status)) {
        return 'status must be one of 400, 401, 403, 404, 500, 502, 503';
      }
      if (code !== undefined && typeof code !== 'string') return 'code must be a string';
      if (message !== undefined && typeof message !== 'string') return 'message must be a string';
      return {
        type: 'error',
        status,
        ...(code === undefined ? {} : { code }),
        ...(message === undefined ? {} : { message }),
      };
    }
    case 'rate_limit':
      if (!isNonNegative(entry.retryAfterS)) return 'retryAfterS must be a number >= 0';
      return { type: 'rate_limit', retryAfterS: entry.retryAfterS };
    case 'latency':
      if (!isNonNegative(entry.ms)) return 'ms must be a number >= 0';
      return { type: 'latency', ms: entry.ms };
    case 'partial':
      if (typeof entry.images !== 'number' || !Number.isInteger(entry.images) || entry.images < 0) {
        return 'images must be an integer >= 0';
      }
      return { type: 'partial', images: entry.images };
    case 'filtered': {
      const images = entry.images;
      if (images === undefined || images === null) return { type: 'filtered' };
      if (typeof images !== 'number' || !Number.isInteger(images) || images < 0) {
        return 'images must be an integer >= 0';
      }
      return { type: 'filtered', images };
    }
    case 'failed': {
      const message = entry.message;
      if (message === undefined || message === null) return { type: 'failed' };
      if (typeof message !== 'string') return 'message must be a string';
      return { type: 'failed', message };
    }
    default:
      return `unknown fault type ${JSON.stringify(entry.type)}`;
  }
}
