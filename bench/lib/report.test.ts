import { describe, expect, it } from 'vitest';
import { assertFigureReport, buildDocument, type FigureReport, finiteResults, meetsTargets } from './report.ts';

const figure = (overrides: Partial<FigureReport> = {}): FigureReport => ({
  name: 'sync-overhead',
  pass: true,
  ratio: 1.1,
  ratio_meaning: 'imagegate p99 / direct p99',
  results: { added_p99_ms: 12 },
  targets: { added_p99_ms_max: 20 },
  method: { offered_per_s: 100 },
  pinning: 'not applied',
  rounds: [{ round: 1 }],
  ...overrides,
});

describe('meetsTargets', () => {
  it.each([
    [{ p99_ms: 20 }, { p99_ms_max: 20 }, true],
    [{ p99_ms: 20.01 }, { p99_ms_max: 20 }, false],
    [{ per_s: 2000 }, { per_s_min: 2000 }, true],
    [{ per_s: 1999 }, { per_s_min: 2000 }, false],
    [{ per_s: 2500, errors: 1 }, { per_s_min: 2000, errors_max: 0 }, false],
    [{}, { per_s_min: 2000 }, false],
    [{ per_s: Number.NaN }, { per_s_min: 0 }, false],
  ])('judges %j against %j as %s', (results, targets, expected) => {
    expect(meetsTargets(results, targets)).toBe(expected);
  });
});

describe('assertFigureReport', () => {
  it('accepts a complete report, with or without a ratio', () => {
    expect(() => assertFigureReport(figure())).not.toThrow();
    expect(() => assertFigureReport(figure({ ratio: null }))).not.toThrow();
  });

  it.each([
    ['pass', { pass: 'yes' }],
    ['ratio', { ratio: undefined }],
    ['rounds', { rounds: {} }],
    ['results.added_p99_ms', { results: { added_p99_ms: '12' } }],
  ])('rejects a report whose %s is missing or of the wrong type', (field, overrides) => {
    const report = { ...figure(), ...overrides } as unknown;
    expect(() => assertFigureReport(report)).toThrow(field.split('.').at(-1));
  });
});

describe('the peer of a figure', () => {
  const peer = { name: '@portkey-ai/gateway', version: '1.15.2', run_as: 'its own server' };

  it('is accepted with its name, version and how it ran', () => {
    expect(() => assertFigureReport(figure({ peer }))).not.toThrow();
  });

  it.each([
    ['version', { name: peer.name, run_as: peer.run_as }],
    ['name', { ...peer, name: 7 }],
  ])('is rejected without a string %s', (field, broken) => {
    expect(() => assertFigureReport({ ...figure(), peer: broken })).toThrow(`peer.${field}`);
  });
});

describe('finiteResults', () => {
  it('drops what JSON would turn into null, so the target reads it as missing and fails', () => {
    const results = finiteResults({ ratio: 0.4, nothing: Number.NaN, endless: Number.POSITIVE_INFINITY, zero: 0 });
    expect(results).toEqual({ ratio: 0.4, zero: 0 });
    expect(meetsTargets(results, { nothing_max: 1 })).toBe(false);
  });
});

describe('buildDocument', () => {
  it('carries the figures, versions, machine and pinning, and lists the figures that missed', () => {
    const document = buildDocument({
      startedAt: new Date('2026-11-21T11:00:00Z'),
      figures: [figure(), figure({ name: 'image-memory', pass: false })],
      cpu: 'AMD EPYC',
      cores: 2,
      versions: { node: 'v24.21.0', postgres: '15.20', redis: '7.0.15', bullmq: '6.7.0', portkey: '1.15.2' },
      pinningAvailable: true,
    });
    expect(document).toMatchObject({
      harness: 'imagegate-bench',
      started_at: '2026-11-21T11:00:00.000Z',
      machine: { cpu: 'AMD EPYC', cores: 2 },
      versions: { node: 'v24.21.0', postgres: '15.20', redis: '7.0.15', bullmq: '6.7.0', portkey: '1.15.2' },
      pinning: { available: true },
      failed: ['image-memory'],
      pass: false,
    });
    expect(document.machine.load_average_1_5_15).toHaveLength(3);
    expect(document.figures.map((entry) => entry.name)).toEqual(['sync-overhead', 'image-memory']);
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });
});
