import { type Redis, SETTLEMENT_GROUP } from '@imagegate/queue';

/**
 * Deletes the group's consumers that hold no pending entry and have not read for `idleMs`: each
 * replica that ever ran (a new name per container) would otherwise stay listed in the group for
 * good. A live consumer reads every second or so, and one deleted by mistake is recreated by its
 * next read; one with pending entries is kept, since deleting it would drop them. Returns the names deleted.
 */
export async function forgetGoneConsumers(redis: Redis, key: string, idleMs: number): Promise<string[]> {
  const consumers = (await redis.xinfo('CONSUMERS', key, SETTLEMENT_GROUP)) as unknown[][];
  const gone: string[] = [];
  for (const flat of consumers) {
    const fields = new Map<string, unknown>();
    for (let index = 0; index + 1 < flat.length; index += 2) fields.set(String(flat[index]), flat[index + 1]);
    if (Number(fields.get('pending')) === 0 && Number(fields.get('idle')) >= idleMs)
      gone.push(String(fields.get('name')));
  }
  const deleted: string[] = [];
  for (const name of gone) {
    if (Number(await redis.eval(DELETE_IF_NOTHING_PENDING, 1, key, SETTLEMENT_GROUP, name)) === 0) deleted.push(name);
  }
  return deleted;
}

// Atomic, so a consumer that took entries since `XINFO` is left alone.
const DELETE_IF_NOTHING_PENDING = `
  if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return -1 end
  return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])`;
