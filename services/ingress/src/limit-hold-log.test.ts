import { createLogger } from '@imagegate/core';
import { limitFor, parseProviderLimits } from '@imagegate/queue';
import { describe, expect, it } from 'vitest';
import type { LimitHold } from './limit-hold.ts';
import { LimitHoldLog } from './limit-hold-log.ts';

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { log: new LimitHoldLog(logger), lines };
}

function holdOf(provider: string, cause: LimitHold['cause'] = 'rate_limit'): LimitHold {
  const limit = limitFor(parseProviderLimits(`${provider}=5rpm/5`, {}), provider);
  return { provider, cause, limit, ahead: 3, waitMs: 40_000 };
}

describe('LimitHoldLog', () => {
  it('warns once a minute per provider, however many answers are held meanwhile', () => {
    const { log, lines } = capturedLog();
    const start = 1_000_000;
    for (let second = 0; second < 60; second++) {
      log.note(holdOf('openai'), { waiting: 4, backlogWaitMs: 50_000 }, start + second * 1_000);
    }
    log.note(holdOf('google'), { waiting: 1, backlogWaitMs: 12_000 }, start + 30_000);
    log.note(holdOf('openai'), { waiting: 9, backlogWaitMs: 110_000 }, start + 60_000);
    expect(lines.map((line) => [line.provider, line.waiting])).toEqual([
      ['openai', 4],
      ['google', 1],
      ['openai', 9],
    ]);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: 'provider limit is holding jobs back',
      cause: 'rate_limit',
      limit: '5 requests/min, 5 at once',
      estimatedWaitS: 50,
      hint: expect.stringContaining('raise PROVIDER_LIMITS if your upstream tier allows more'),
    });
  });

  it('says a 429 pause means the limit is above what the upstream allows', () => {
    const { log, lines } = capturedLog();
    log.note(holdOf('bfl', 'upstream_pause'), { waiting: 2, backlogWaitMs: 5_000 });
    expect(lines[0]).toMatchObject({ cause: 'upstream_pause', hint: expect.stringContaining('answered 429') });
  });
});
