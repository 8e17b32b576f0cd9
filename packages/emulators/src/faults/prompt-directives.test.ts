import { describe, expect, it } from 'vitest';
import { parseFaultDirectives } from './prompt-directives.ts';

describe('parseFaultDirectives', () => {
  it('returns none when the prompt has no directive', () => {
    expect(parseFaultDirectives('a lighthouse at dusk')).toEqual({ kind: 'none' });
  });

  it.each([
    ['[emulate:moderation]', { type: 'moderation' }],
    ['[emulate:500]', { type: 'error', status: 500 }],
    ['[emulate:503]', { type: 'error', status: 503 }],
    ['[emulate:429]', { type: 'rate_limit', retryAfterS: 1 }],
    ['[emulate:429:retry-after=2]', { type: 'rate_limit', retryAfterS: 2 }],
    ['[emulate:insufficient_quota]', { type: 'insufficient_quota' }],
    ['[emulate:hang]', { type: 'hang' }],
    ['[emulate:partial=3]', { type: 'partial', images: 3 }],
    ['[emulate:ok]', { type: 'ok' }],
  ])('decides %s when it appears in the prompt', (directive, outcome) => {
    const parsed = parseFaultDirectives(`a cat ${directive} on a mat`);
    expect(parsed).toEqual({ kind: 'decision', decision: { outcome, addedLatencyMs: 0, source: 'directive' } });
  });

  it('adds latency and keeps the outcome ok when only a latency directive is present', () => {
    expect(parseFaultDirectives('x [emulate:latency=300]')).toEqual({
      kind: 'decision',
      decision: { outcome: { type: 'ok' }, addedLatencyMs: 300, source: 'directive' },
    });
  });

  it('combines latency with an outcome when both are present', () => {
    const parsed = parseFaultDirectives('[emulate:latency=50] x [emulate:500] [emulate:latency=25]');
    expect(parsed).toEqual({
      kind: 'decision',
      decision: { outcome: { type: 'error', status: 500 }, addedLatencyMs: 75, source: 'directive' },
    });
  });

  it.each([
    ['[emulate:teapot]', 'unknown emulator directive'],
    ['[emulate:418]', 'unknown emulator directive'],
    ['[emulate:latency=abc]', 'unknown emulator directive'],
    ['[emulate:500] [emulate:moderation]', 'conflicting emulator directives'],
  ])('rejects %s as invalid', (prompt, reason) => {
    expect(parseFaultDirectives(prompt)).toMatchObject({ kind: 'invalid', reason });
  });
});
