import type { ErrorFaultStatus, FaultOutcome } from '../faults/fault-types.ts';
import type { OpenAIErrorReply } from './errors.ts';
import { openAIError } from './errors.ts';

/** Default bodies per status, modelled on what api.openai.com sends (see docs/providers.md, "OpenAI"). */
const ERROR_DEFAULTS: Record<ErrorFaultStatus, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: 'invalid_value', message: 'Invalid request (emulated fault).' },
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  403: {
    type: 'invalid_request_error',
    code: null,
    message:
      'Your organization must be verified to use the model. Please go to https://platform.openai.com/settings/organization/general and click on Verify Organization.',
  },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.',
  },
  500: {
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

/**
 * The reply for a failing fault outcome, or undefined for outcomes that produce images
 * (`ok`, `partial`, `filtered` with survivors) or no answer at all (`hang`).
 */
export function faultReply(outcome: FaultOutcome): OpenAIErrorReply | undefined {
  switch (outcome.type) {
    case 'error': {
      const defaults = ERROR_DEFAULTS[outcome.status];
      return openAIError(
        outcome.status,
        defaults.type,
        outcome.message ?? defaults.message,
        null,
        outcome.code ?? defaults.code,
      );
    }
    case 'rate_limit':
      return {
        ...openAIError(429, 'requests', 'Rate limit reached for requests', null, 'rate_limit_exceeded'),
        headers: { 'retry-after': String(outcome.retryAfterS) },
      };
    case 'insufficient_quota':
      return openAIError(
        429,
        'insufficient_quota',
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        null,
        'insufficient_quota',
      );
    case 'moderation':
      return moderationBlocked('input', outcome.categories ?? ['violence']);
    case 'filtered':
      // OpenAI has no partial output filter: with nothing left it refuses at the output stage.
      return (outcome.images ?? 0) === 0 ? moderationBlocked('output', ['sexual']) : undefined;
    case 'failed':
      return openAIError(500, 'server_error', outcome.message ?? ERROR_DEFAULTS[500].message, null, null);
    case 'ok':
    case 'partial':
    case 'hang':
      return undefined;
  }
}

function moderationBlocked(stage: 'input' | 'output', categories: string[]): OpenAIErrorReply {
  const reply = openAIError(
    400,
    'image_generation_user_error',
    `Your request was rejected by the safety system. safety_violations=[${categories.join(', ')}].`,
    null,
    'moderation_blocked',
  );
  reply.body.moderation_details = { moderation_stage: stage, categories };
  return reply;
}
