/**
 * The one JSON document `pnpm bench` prints. Each figure script prints one `FigureReport` on
 * stdout; bench/run.ts gathers them into a `BenchDocument` with the machine and versions.
 */
import { loadavg } from 'node:os';

export interface FigureReport {
  /** The figure's name in docs/benchmarks.md, e.g. `sync-overhead`. */
  name: string;
  /** Whether every target was met. */
  pass: boolean;
  /** Median over rounds of imagegate against its interleaved baseline; null where there is none. */
  ratio: number | null;
  /** What `ratio` divides by what, in words. */
  ratio_meaning: string;
  /** Headline numbers (medians over rounds), keyed with their unit, e.g. `added_p99_ms`. */
  results: Record<string, number>;
  /** Targets, keyed like `results` with a `_max` or `_min` suffix. */
  targets: Record<string, number>;
  /** How the figure was measured: rate, duration, rounds, sizes. */
  method: Record<string, unknown>;
  /** Whether pinning was applied, and how. */
  pinning: string;
  /** The absolute numbers of every round, for the record. */
  rounds: Record<string, unknown>[];
  /** Anything else worth keeping (checks, problems). */
  details?: Record<string, unknown>;
  /** The peer gateway measured beside imagegate, where a figure has one (bench/lib/peer.ts). */
  peer?: PeerInfo;
}

/** Another gateway a figure measures in the same run, with the version measured. */
export interface PeerInfo {
  name: string;
  version: string;
  /** How the figure starts it and sends it requests. */
  run_as: string;
}

export interface BenchDocument {
  harness: 'imagegate-bench';
  started_at: string;
  finished_at: string;
  machine: { cpu: string; cores: number; load_average_1_5_15: number[] };
  versions: { node: string; postgres: string; redis: string; bullmq: string; portkey: string };
  pinning: { available: boolean };
  figures: FigureReport[];
  /** Names of the figures that missed a target. */
  failed: string[];
  pass: boolean;
}

/** Checks targets named `<result>_max` / `<result>_min` against `results`; unknown keys fail. */
export function meetsTargets(results: Record<string, number>, targets: Record<string, number>): boolean {
  return Object.entries(targets).every(([key, target]) => {
    const max = key.endsWith('_max');
    const value = results[key.slice(0, -4)];
    if (value === undefined || Number.isNaN(value)) return false;
    return max ? value <= target : value >= target;
  });
}

const FIGURE_KEYS: Record<keyof FigureReport, string> = {
  name: 'string',
  pass: 'boolean',
  ratio: 'number|null',
  ratio_meaning: 'string',
  results: 'object',
  targets: 'object',
  method: 'object',
  pinning: 'string',
  rounds: 'array',
  details: 'object?',
  peer: 'object?',
};

const PEER_KEYS: Record<keyof PeerInfo, string> = { name: 'string', version: 'string', run_as: 'string' };

/** Throws unless `value` has the shape of a FigureReport. */
export function assertFigureReport(value: unknown): asserts value is FigureReport {
  if (typeof value !== 'object' || value === null) throw new Error('figure report is not an object');
  const record = value as Record<string, unknown>;
  for (const [key, kind] of Object.entries(FIGURE_KEYS)) {
    const field = record[key];
    const actual = field === null ? 'null' : Array.isArray(field) ? 'array' : typeof field;
    const allowed = kind.replace('?', '').split('|');
    if (field === undefined && kind.endsWith('?')) continue;
    if (!allowed.includes(actual)) throw new Error(`figure report field '${key}' is ${actual}, expected ${kind}`);
  }
  for (const group of ['results', 'targets'] as const) {
    for (const [key, number] of Object.entries(record[group] as Record<string, unknown>)) {
      if (typeof number !== 'number') throw new Error(`${group}.${key} is not a number`);
    }
  }
  if (record.peer !== undefined) {
    const peer = record.peer as Record<string, unknown>;
    for (const [key, kind] of Object.entries(PEER_KEYS)) {
      if (typeof peer[key] !== kind) throw new Error(`figure report field 'peer.${key}' is not a ${kind}`);
    }
  }
}

/**
 * `results` without the values JSON cannot carry (NaN and infinities would arrive as null): a
 * missing result fails its target, as a NaN would.
 */
export function finiteResults(results: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(results).filter(([, value]) => Number.isFinite(value)));
}

/** The document, from the figures and what run.ts found out about the machine. */
export function buildDocument(input: {
  startedAt: Date;
  figures: FigureReport[];
  cpu: string;
  cores: number;
  versions: BenchDocument['versions'];
  pinningAvailable: boolean;
}): BenchDocument {
  const failed = input.figures.filter((figure) => !figure.pass).map((figure) => figure.name);
  return {
    harness: 'imagegate-bench',
    started_at: input.startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    machine: {
      cpu: input.cpu,
      cores: input.cores,
      load_average_1_5_15: loadavg().map((value) => Math.round(value * 100) / 100),
    },
    versions: input.versions,
    pinning: { available: input.pinningAvailable },
    figures: input.figures,
    failed,
    pass: failed.length === 0,
  };
}

/** What a figure script does last: its report as one JSON document on stdout. */
export function printFigure(report: FigureReport): void {
  assertFigureReport(report);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
