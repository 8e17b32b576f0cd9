import { describe, expect, it } from 'vitest';
import { decideFault, deliveredImages } from './decide-fault.ts';
import { FaultController } from './fault-controller.ts';
import { parseFaultConfig } from './parse-fault-config.ts';
import { parseFaultDirectives } from './prompt-directives.ts';

describe('output-side fault kinds', () => {
  it.each([
    ['[emulate:filtered]', { type: 'filtered' }],
    ['[emulate:filtered=2]', { type: 'filtered', images: 2 }],
    ['[emulate:failed]', { type: 'failed' }],
  ])('decides %s when it appears in the prompt', (directive, outcome) => {
    expect(parseFaultDirectives(`a crowd ${directive}`)).toEqual({
      kind: 'decision',
      decision: { outcome, addedLatencyMs: 0, source: 'directive' },
    });
  });

  it('accepts filtered and failed in a fault config when well formed', () => {
    const script = [
      { type: 'filtered' },
      { type: 'filtered', images: 1 },
      { type: 'failed', message: 'boom' },
      { type: 'failed' },
    ];
    expect(parseFaultConfig({ script })).toEqual({ ok: true, config: { script } });
  });

  it.each([
    [{ type: 'filtered', images: -1 }, 'images must be an integer >= 0'],
    [{ type: 'filtered', images: 'all' }, 'images must be an integer >= 0'],
    [{ type: 'failed', message: 3 }, 'message must be a string'],
  ])('rejects %j with a message when it is malformed', (entry, message) => {
    const parsed = parseFaultConfig({ script: [entry] });
    expect(parsed.ok ? '' : parsed.message).toBe(`script[0]: ${message}`);
  });

  it.each([
    [{ type: 'ok' } as const, 4, 4],
    [{ type: 'partial', images: 2 } as const, 4, 2],
    [{ type: 'partial', images: 9 } as const, 4, 4],
    [{ type: 'filtered' } as const, 4, 0],
    [{ type: 'filtered', images: 3 } as const, 2, 2],
  ])(
    'delivers the right number of images when the outcome is %j and %i are requested',
    (outcome, requested, delivered) => {
      expect(deliveredImages(outcome, requested)).toBe(delivered);
    },
  );

  it('prefers a prompt directive over the queue and reports it when malformed', () => {
    const faults = new FaultController();
    faults.enqueue({ type: 'hang' });
    expect(decideFault('[emulate:failed] x', faults)).toMatchObject({
      outcome: { type: 'failed' },
      source: 'directive',
    });
    expect(faults.state().pending).toHaveLength(1);
    expect(decideFault('[emulate:filtered=x]', faults)).toEqual({
      error: 'unknown emulator directive: [emulate:filtered=x]',
    });
    expect(decideFault('plain', faults)).toMatchObject({ outcome: { type: 'hang' }, source: 'script' });
  });
});
