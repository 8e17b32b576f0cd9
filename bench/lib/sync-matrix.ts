/**
 * What the sync figures run imagegate on, and the names their results are keyed by:
 *
 * - store: `default`, the local filesystem store `./imagegate.sh start` uses without S3, or `s3`,
 *   the in-memory S3 stand-in (memory-s3.ts);
 * - topology: `one-process` (every service in one process, as `start` runs them) or `split` (one
 *   process per service, as docker-compose.yml runs them);
 * - mode: the `response_format` the client asks imagegate for, `b64_json` or `url`.
 *
 * Each figure takes `--stores`, `--topologies` and `--modes` (comma-separated) to run part of it.
 */
export const STORES = ['default', 's3'] as const;
export const TOPOLOGIES = ['one-process', 'split'] as const;
export const MODES = ['b64_json', 'url'] as const;

export type StoreName = (typeof STORES)[number];
export type TopologyName = (typeof TOPOLOGIES)[number];
export type ModeName = (typeof MODES)[number];

/** Parses a comma-separated option against the names it may hold; throws on any other. */
export function parseNames<Name extends string>(option: string, text: string, known: readonly Name[]): Name[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !known.includes(name as Name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--${option}: expected some of ${known.join(', ')}, got '${text}'`);
  }
  return [...new Set(names)] as Name[];
}

/** Parses a comma-separated list of positive numbers (rates). */
export function parseRates(text: string): number[] {
  const rates = text.split(',').map((rate) => Number(rate.trim()));
  if (rates.length === 0 || rates.some((rate) => !(rate > 0))) {
    throw new Error(`--rates: expected positive numbers, got '${text}'`);
  }
  return rates;
}

/** The prefix of a deployment's result keys, e.g. `default.split`. */
export const deploymentKey = (store: StoreName, topology: TopologyName) => `${store}.${topology}`;

/** The prefix of one cell's result keys, e.g. `default.one-process.url`. */
export const cellKey = (store: StoreName, topology: TopologyName, mode: ModeName) =>
  `${deploymentKey(store, topology)}.${mode}`;
