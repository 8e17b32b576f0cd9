import { describe, expect, it } from 'vitest';
import { StatsGroup } from './stats-group.ts';

describe('StatsGroup', () => {
  it('keeps separate counters per kind and resets them together when reset', () => {
    const group = new StatsGroup(['predict', 'token'] as const);
    group.recorder('predict').callStarted(1);
    group.recorder('predict').callFinished(200);
    group.recorder('token').callStarted(2);
    expect(group.snapshot()).toMatchObject({
      predict: { calls: 1, byStatus: { '200': 1 }, inFlight: 0 },
      token: { calls: 1, inFlight: 1 },
    });
    group.reset();
    expect(group.snapshot()).toMatchObject({ predict: { calls: 0 }, token: { calls: 0, inFlight: 1 } });
  });

  it('throws when asked for a kind it was not built with', () => {
    const group = new StatsGroup<string>(['a']);
    expect(() => group.recorder('b')).toThrow("unknown stats kind 'b'");
  });
});
