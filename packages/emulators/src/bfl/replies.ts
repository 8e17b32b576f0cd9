import type { ServerResponse } from 'node:http';
import type { ErrorFaultStatus, FaultOutcome } from '../faults/fault-types.ts';
import { sendJsonBody } from '../http/send-body.ts';
import type { ValidationIssue } from './pydantic-errors.ts';

/** A non-2xx BFL answer: FastAPI's `{"detail": …}` plus optional headers. */
export interface BflErrorReply {
  status: number;
  detail: string | ValidationIssue[];
  headers?: Record<string, string>;
}

/** FastAPI's default phrases per status, used when a scripted error gives no message. */
const DEFAULT_DETAIL: Readonly<Record<ErrorFaultStatus, string>> = {
  400: 'Bad Request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Sends a BFL error reply. */
export function sendBflError(res: ServerResponse, reply: BflErrorReply): void {
  sendJsonBody(res, reply.status, { detail: reply.detail }, reply.headers);
}

/**
 * The submit-time reply for failing faults, or undefined when the task is accepted (the outcome
 * then plays out while polling: `moderation`, `filtered`, `failed`, `partial`, `hang`).
 */
export function bflFaultReply(outcome: FaultOutcome): BflErrorReply | undefined {
  switch (outcome.type) {
    case 'error':
      return { status: outcome.status, detail: outcome.message ?? DEFAULT_DETAIL[outcome.status] };
    case 'rate_limit':
      return {
        status: 429,
        detail:
          'You have exceeded the number of active tasks. Please wait for some tasks to finish before submitting new ones.',
        headers: { 'retry-after': String(outcome.retryAfterS) },
      };
    case 'insufficient_quota':
      return {
        status: 402,
        detail: 'Insufficient credits. Please add credits to your account at https://dashboard.bfl.ai.',
      };
    default:
      return undefined;
  }
}
