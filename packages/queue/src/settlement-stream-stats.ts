import type { QueueStatsReading } from './queue-stats.ts';
import { SETTLEMENT_GROUP, SETTLEMENT_QUEUE, type SettlementStream } from './settlement-stream.ts';

/**
 * The settlement stream as the queue gauges show a queue (a few commands): `waiting` is what no
 * settlement worker has read yet (the group's lag), `active` what was read and not yet acked
 * (pending: in a batch, or failed and waiting to be retried), and the age of the oldest unread entry.
 */
export async function readSettlementStreamStats(stream: SettlementStream): Promise<QueueStatsReading> {
  const [length, group] = await Promise.all([stream.redis.xlen(stream.key), readGroup(stream)]);
  const pending = group?.pending ?? 0;
  const waiting = group?.lag ?? Math.max(0, length - pending);
  let oldestWaitingAgeS = 0;
  if (waiting > 0) {
    const start = group === undefined ? '-' : `(${group.lastDeliveredId}`;
    const [oldest] = (await stream.redis.xrange(stream.key, start, '+', 'COUNT', 1)) as [string, string[]][];
    const addedAtMs = oldest === undefined ? Number.NaN : Number(oldest[0].split('-')[0]);
    if (Number.isFinite(addedAtMs)) oldestWaitingAgeS = Math.max(0, (Date.now() - addedAtMs) / 1000);
  }
  return { queue: SETTLEMENT_QUEUE, waiting, active: pending, delayed: 0, oldestWaitingAgeS };
}

interface GroupReading {
  pending: number;
  lastDeliveredId: string;
  /** Undefined when Redis cannot tell (then: length − pending). */
  lag: number | undefined;
}

/** The settlement group's counters (`XINFO GROUPS`); undefined before any worker created it. */
async function readGroup(stream: SettlementStream): Promise<GroupReading | undefined> {
  let groups: unknown[][];
  try {
    groups = (await stream.redis.xinfo('GROUPS', stream.key)) as unknown[][];
  } catch (error) {
    if (error instanceof Error && error.message.includes('no such key')) return undefined;
    throw error;
  }
  for (const flat of groups) {
    const fields = new Map<string, unknown>();
    for (let index = 0; index + 1 < flat.length; index += 2) fields.set(String(flat[index]), flat[index + 1]);
    if (fields.get('name') !== SETTLEMENT_GROUP) continue;
    const lag = fields.get('lag');
    return {
      pending: Number(fields.get('pending') ?? 0),
      lastDeliveredId: String(fields.get('last-delivered-id') ?? '0-0'),
      lag: typeof lag === 'number' ? lag : undefined,
    };
  }
  return undefined;
}
