/**
 * The string `code` a thrown value carries: a Node system error's (`ECONNRESET`, `ENOENT`), a
 * Postgres error's SQLSTATE (`23505`), undici's (`UND_ERR_SOCKET`). Undefined when there is none,
 * so callers compare without casting whatever was thrown.
 */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
