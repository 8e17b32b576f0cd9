import { describe, expect, it } from 'vitest';
import { FaultController } from './fault-controller.ts';
import { parseFaultConfig } from './parse-fault-config.ts';
import { createSeededRng } from './seeded-rng.ts';

describe('FaultController', () => {
  it('consumes the scripted queue in order, then falls back to ok', () => {
    const faults = new FaultController();
    faults.enqueue({ type: 'error', status: 502 }, { type: 'rate_limit', retryAfterS: 3 });
    faults.configure({ script: [{ type: 'partial', images: 1 }] });
    expect(faults.next().outcome).toEqual({ type: 'error', status: 502 });
    expect(faults.next().outcome).toEqual({ type: 'rate_limit', retryAfterS: 3 });
    expect(faults.next().outcome).toEqual({ type: 'partial', images: 1 });
    expect(faults.next()).toEqual({ outcome: { type: 'ok' }, addedLatencyMs: 0, source: 'none' });
  });

  it('folds a latency entry into an ok outcome with added latency', () => {
    const faults = new FaultController();
    faults.configure({ latencyMs: 10, script: [{ type: 'latency', ms: 200 }] });
    expect(faults.next()).toEqual({ outcome: { type: 'ok' }, addedLatencyMs: 210, source: 'script' });
    expect(faults.next().addedLatencyMs).toBe(10);
  });

  it('uses the injected rng for random rates when the script is empty', () => {
    const rolls = [0.05, 0.15, 0.5];
    const faults = new FaultController({ random: () => rolls.shift() ?? 0.99 });
    faults.configure({ rates: { error500: 0.1, rateLimit429: 0.1, retryAfterS: 4 } });
    expect(faults.next()).toMatchObject({ outcome: { type: 'error', status: 500 }, source: 'random' });
    expect(faults.next()).toMatchObject({ outcome: { type: 'rate_limit', retryAfterS: 4 }, source: 'random' });
    expect(faults.next()).toMatchObject({ outcome: { type: 'ok' }, source: 'none' });
  });

  it('produces roughly the configured error rate and repeats exactly for the same seed', () => {
    const run = (): string[] => {
      const faults = new FaultController({ seed: 42 });
      faults.configure({ rates: { error500: 0.2 } });
      return Array.from({ length: 2000 }, () => faults.next().outcome.type);
    };
    const first = run();
    const errors = first.filter((type) => type === 'error').length;
    expect(errors).toBeGreaterThan(300);
    expect(errors).toBeLessThan(500);
    expect(run()).toEqual(first);
  });

  it('clears queue, rates and latency when reset', () => {
    const faults = new FaultController();
    faults.configure({ script: [{ type: 'hang' }], rates: { error500: 1 }, latencyMs: 5 });
    faults.reset();
    expect(faults.state()).toEqual({
      pending: [],
      rates: { error500: 0, rateLimit429: 0, retryAfterS: 1 },
      latencyMs: 0,
    });
    expect(faults.next().outcome.type).toBe('ok');
  });
});

describe('createSeededRng', () => {
  it('returns values in [0, 1) that repeat for the same seed', () => {
    const a = createSeededRng(7);
    const b = createSeededRng(7);
    const values = Array.from({ length: 100 }, () => a());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Array.from({ length: 100 }, () => b())).toEqual(values);
    expect(createSeededRng(8)()).not.toBe(values[0]);
  });
});

describe('parseFaultConfig', () => {
  it('accepts every fault kind when well formed', () => {
    const script = [
      { type: 'ok' },
      { type: 'error', status: 403, code: 'unsupported_country_region_territory' },
      { type: 'rate_limit', retryAfterS: 2 },
      { type: 'insufficient_quota' },
      { type: 'moderation', categories: ['sexual'] },
      { type: 'hang' },
      { type: 'latency', ms: 20 },
      { type: 'partial', images: 0 },
    ];
    expect(parseFaultConfig({ script, rates: { error500: 0.5 }, latencyMs: 3, seed: 9 })).toEqual({
      ok: true,
      config: { script, rates: { error500: 0.5 }, latencyMs: 3, seed: 9 },
    });
  });

  it.each([
    [[], 'fault config must be a JSON object'],
    [{ scripts: [] }, "unknown field 'scripts'"],
    [{ script: [{ type: 'error', status: 418 }] }, 'script[0]: status must be one of'],
    [{ script: [{ type: 'explode' }] }, 'script[0]: unknown fault type "explode"'],
    [{ script: [{ type: 'partial', images: 1.5 }] }, 'script[0]: images must be an integer'],
    [{ rates: { error500: 2 } }, 'rates: error500 must be a number in [0, 1]'],
    [{ rates: { error503: 0.1 } }, "rates: unknown field 'error503'"],
    [{ latencyMs: -1 }, 'latencyMs must be a number >= 0'],
  ])('rejects %j with a message', (input, message) => {
    const parsed = parseFaultConfig(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(message);
  });
});
