import { errorCodeOf } from '@imagegate/core';
/**
 * A data exception (SQLSTATE class 22) or a constraint violation (23): Postgres refused something
 * about the rows, and a statement made of several jobs' rows changed nothing. Writing those jobs
 * one by one then isolates the bad one. Anything else (Postgres unreachable, shutting down) would
 * fail each job alone just the same, so it answers the whole batch, without a retry storm.
 */
export function isRowError(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}
