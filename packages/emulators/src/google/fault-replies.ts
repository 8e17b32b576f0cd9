import type { ErrorFaultStatus, FaultOutcome } from '../faults/fault-types.ts';
import type { GoogleErrorReply, GoogleStatus } from './errors.ts';
import { errorInfo, googleError } from './errors.ts';

/** Which Google front end answers: Vertex AI or the Gemini Developer API. */
export type GoogleSurface = 'vertex' | 'gemini';

/** Default status name and message per HTTP status, as Google's front ends phrase them. */
const ERROR_DEFAULTS: Readonly<Record<ErrorFaultStatus, { status: GoogleStatus; message: string }>> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: {
    status: 'UNAUTHENTICATED',
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  500: { status: 'INTERNAL', message: 'Internal error encountered.' },
  // Google's front end has no RPC code for 502; UNAVAILABLE is what clients treat it as.
  502: { status: 'UNAVAILABLE', message: 'Bad Gateway' },
  503: { status: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
};

/**
 * The error reply for a failing fault outcome, or undefined for outcomes each endpoint renders
 * itself (`ok`, `partial`, `filtered`, `moderation`) or that never answer (`hang`).
 * @param model used in quota messages, e.g. `imagen-4.0-generate-001`.
 */
export function googleFaultReply(
  outcome: FaultOutcome,
  surface: GoogleSurface,
  model: string,
): GoogleErrorReply | undefined {
  switch (outcome.type) {
    case 'error': {
      const defaults = ERROR_DEFAULTS[outcome.status];
      return googleError(outcome.status, outcome.code ?? defaults.status, outcome.message ?? defaults.message);
    }
    case 'rate_limit':
      return rateLimited(surface, model, outcome.retryAfterS);
    case 'insufficient_quota':
      return outOfQuota(surface, model);
    case 'failed':
      return googleError(500, 'INTERNAL', outcome.message ?? ERROR_DEFAULTS[500].message);
    case 'ok':
    case 'partial':
    case 'filtered':
    case 'moderation':
    case 'hang':
      return undefined;
  }
}

/**
 * 429 RESOURCE_EXHAUSTED. The Gemini API carries the back-off in a `RetryInfo` detail; Vertex
 * names the quota metric in the message and sends no retry hint (no `retry-after` either way).
 */
function rateLimited(surface: GoogleSurface, model: string, retryAfterS: number): GoogleErrorReply {
  if (surface === 'vertex') {
    const base = model.replace(/-\d{3}$/, '');
    const message = `Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: ${base}. Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.`;
    return googleError(429, 'RESOURCE_EXHAUSTED', message);
  }
  const message = `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. Please retry in ${retryAfterS}s.`;
  return googleError(429, 'RESOURCE_EXHAUSTED', message, [
    quotaFailure(
      'generativelanguage.googleapis.com/generate_content_requests',
      'GenerateRequestsPerMinutePerProjectPerModel',
      model,
    ),
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterS}s` },
  ]);
}

/**
 * Out of money rather than out of rate: Vertex refuses with 403 BILLING_DISABLED, the Gemini API
 * with a per-day 429 that has no `RetryInfo`. Neither should be retried soon.
 */
function outOfQuota(surface: GoogleSurface, model: string): GoogleErrorReply {
  if (surface === 'vertex') {
    const message =
      'This API method requires billing to be enabled. Please enable billing on the project by visiting https://console.developers.google.com/billing/enable then retry.';
    return googleError(403, 'PERMISSION_DENIED', message, [errorInfo('BILLING_DISABLED', 'aiplatform.googleapis.com')]);
  }
  const message =
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
  return googleError(429, 'RESOURCE_EXHAUSTED', message, [
    quotaFailure(
      'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
      'GenerateRequestsPerDayPerProjectPerModel',
      model,
    ),
  ]);
}

function quotaFailure(metric: string, quotaId: string, model: string): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
    violations: [{ quotaMetric: metric, quotaId, quotaDimensions: { location: 'global', model } }],
  };
}
