import type { ErrorCode } from '@imagegate/core';
import type { z } from 'zod';

/** The first zod issue as an OpenAI-style error description: which `param`, which `code`, what to say. */
export interface RequestIssue {
  param: string | null;
  code: Extract<ErrorCode, 'invalid_value' | 'unknown_parameter' | 'missing_required_parameter' | 'invalid_type'>;
  message: string;
}

/** The value at `path` in the parsed input (zod 4 does not keep inputs on issues by default). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `input` is what was parsed: it tells a missing parameter from a wrongly typed one. */
export function describeZodError(error: z.ZodError, input?: unknown): RequestIssue {
  const issue = error.issues[0];
  if (issue === undefined) return { param: null, code: 'invalid_value', message: 'Invalid request body.' };
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? null;
    const param = key === null ? null : [...issue.path, key].join('.');
    return { param, code: 'unknown_parameter', message: `Unknown parameter: '${param}'.` };
  }
  const param = issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
    return { param, code: 'missing_required_parameter', message: `Missing required parameter: '${param}'.` };
  }
  if (issue.code === 'invalid_type') {
    return { param, code: 'invalid_type', message: `Invalid type for '${param}': expected ${issue.expected}.` };
  }
  return { param, code: 'invalid_value', message: `Invalid value for '${param}': ${issue.message}.` };
}
