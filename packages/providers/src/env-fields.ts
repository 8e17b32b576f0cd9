import { z } from 'zod';

/**
 * Field schemas for providers' environment schemas. An empty value counts as unset everywhere
 * (docker compose passes `${VAR:-}` through as ""), so defaults apply and a blank key means "not configured".
 */

const blankAsUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

/** A variable that may be absent. */
export const optionalEnv = z.preprocess(blankAsUndefined, z.string().optional());

/** A variable with a default. */
export function envWithDefault(value: string) {
  return z.preprocess(blankAsUndefined, z.string().default(value));
}

/** A positive whole number (milliseconds, counts) with a default. */
export function positiveIntEnv(value: number) {
  return z.preprocess(blankAsUndefined, z.coerce.number().int().positive().default(value));
}
