import { EventEmitter } from 'node:events';
import { type Logger, type PeriodicSweep, startPeriodicSweep } from '@imagegate/core';
import {
  ensureSettlementGroup,
  type Redis,
  SETTLEMENT_GROUP,
  type SettlementPayload,
  type SettlementStream,
  settlementPayloadOf,
} from '@imagegate/queue';
import { forgetGoneConsumers } from './forget-gone-consumers.ts';

/** Settles a batch: one result per payload, in order; a fulfilled one is acknowledged. */
export type SettleBatch = (payloads: SettlementPayload[]) => Promise<PromiseSettledResult<unknown>[]>;

export interface SettlementStreamReaderOptions {
  stream: SettlementStream;
  /** A connection for the blocking reads alone (the reader disconnects it on `close()`). */
  blocking: Redis;
  /** This reader's name in the group; a restart under the same name takes back its own pending entries at once. */
  consumer: string;
  settle: SettleBatch;
  logger: Logger;
  /** Entries one read takes at most: a batch. */
  batchSize: number;
  /** How long a read that found less than a batch waits for more before the batch goes anyway (ms). */
  batchWaitMs: number;
  /** Batches settled at once (they touch accounts in id order, so they cannot deadlock). */
  maxBatchesInFlight: number;
  /** How often pending entries are looked at for retry (ms, default 500). */
  reclaimIntervalMs?: number;
  /** How long another consumer's entry stays pending before it counts as its consumer's crash (ms, default 15000). */
  staleIdleMs?: number;
  /** Deliveries of one entry at most; past them it is dropped with an error, and the sweep settles the job (default 10). */
  maxDeliveries?: number;
  /** How long one blocking read waits (ms, default 1000); `close()` unblocks it sooner. */
  blockMs?: number;
}

interface StreamEntry {
  id: string;
  fields: string[];
}

type Deliveries = [id: string, consumer: string, idleMs: number, deliveries: number][];

/** How long an entry whose settlement failed waits for its next delivery: exponential, 0.5 s to 10 s. */
export function retryDelayMs(deliveries: number): number {
  return Math.min(500 * 2 ** Math.max(0, deliveries - 1), 10_000);
}

/**
 * Reads settlement requests off the stream a batch at a time (`XREADGROUP … COUNT <batch>`),
 * settles each batch with one call, and acknowledges and deletes the entries whose job settled or
 * was already settled (`XACK` + `XDEL`, one round trip). An entry whose settlement failed stays
 * pending: it is claimed again after a backoff (its delivery count bounds the retries), as is an
 * entry another reader took and kept idle for `staleIdleMs` (that reader died), and, at start, an
 * entry this consumer had pending before a restart. Settlement is exactly once per job in
 * Postgres, so a redelivery after a commit whose ack was lost charges nothing twice.
 *
 * Emits `acknowledged` (job ids) after each ack, and `failed` (job id, error) per failed settlement.
 */
export class SettlementStreamReader extends EventEmitter<{
  acknowledged: [jobIds: string[]];
  failed: [jobId: string, error: Error];
}> {
  readonly #options: SettlementStreamReaderOptions;
  readonly #reclaimIntervalMs: number;
  readonly #staleIdleMs: number;
  readonly #maxDeliveries: number;
  readonly #blockMs: number;
  /** Entry ids being settled here: pending, but not to be claimed again. */
  readonly #inFlight = new Set<string>();
  readonly #batches = new Set<Promise<void>>();
  #stopping = false;
  #blockingClientId: number | undefined;
  #reading: Promise<void> | undefined;
  #reclaiming: PeriodicSweep | undefined;
  #consumersCheckedAt = 0;

  constructor(options: SettlementStreamReaderOptions) {
    super();
    this.#options = options;
    this.#reclaimIntervalMs = options.reclaimIntervalMs ?? 500;
    this.#staleIdleMs = options.staleIdleMs ?? 15_000;
    this.#maxDeliveries = options.maxDeliveries ?? 10;
    this.#blockMs = options.blockMs ?? 1_000;
  }

  /** Creates the group if missing, takes back this consumer's pending entries, and starts reading. */
  async start(): Promise<void> {
    await ensureSettlementGroup(this.#options.stream);
    this.#blockingClientId = Number(await this.#options.blocking.client('ID'));
    await this.reclaim();
    this.#reading = this.#readLoop();
    this.#reclaiming = startPeriodicSweep(() => Promise.all([this.reclaim(), this.#forgetGoneConsumers()]), {
      intervalMs: this.#reclaimIntervalMs,
      logger: this.#options.logger,
      name: 'settlement reclaim',
    });
  }

  /** Stops reading, lets the batches in hand finish and acknowledge, and closes the blocking connection. */
  async close(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    await this.#reclaiming?.stop();
    const reading = this.#reading ?? Promise.resolve();
    let readingDone = false;
    void reading.finally(() => {
      readingDone = true;
    });
    // A read may block for `blockMs`: unblock it (it returns nothing, so no entry is taken).
    while (!readingDone) {
      if (this.#blockingClientId !== undefined) {
        await this.#options.stream.redis.client('UNBLOCK', this.#blockingClientId).catch(() => {});
      }
      await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
    while (this.#batches.size > 0) await Promise.all(this.#batches);
    this.#options.blocking.disconnect();
  }

  async #readLoop(): Promise<void> {
    const { batchSize, batchWaitMs, maxBatchesInFlight, logger } = this.#options;
    while (!this.#stopping) {
      while (this.#batches.size >= maxBatchesInFlight) await Promise.race(this.#batches);
      if (this.#stopping) break;
      try {
        let entries = await this.#read(batchSize, this.#blockMs);
        if (entries.length === 0) continue;
        if (entries.length < batchSize && batchWaitMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, batchWaitMs));
          entries = entries.concat(await this.#read(batchSize - entries.length, undefined));
        }
        // Entries once read are this consumer's: settle them even when closing, so none waits for a claim.
        this.#dispatch(entries);
      } catch (error) {
        if (this.#stopping) break;
        logger.error({ err: error }, 'settlement stream read failed');
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          await ensureSettlementGroup(this.#options.stream).catch(() => {});
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** New entries for this consumer (`blockMs` undefined: only those already there). */
  async #read(count: number, blockMs: number | undefined): Promise<StreamEntry[]> {
    const { blocking, stream, consumer } = this.#options;
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
    const reply = (await blocking.xreadgroup(
      'GROUP',
      SETTLEMENT_GROUP,
      consumer,
      'COUNT',
      count,
      ...(block as ['BLOCK', number]),
      'STREAMS',
      stream.key,
      '>',
    )) as [key: string, entries: [id: string, fields: string[]][]][] | null;
    return entriesOf(reply?.[0]?.[1]);
  }

  #dispatch(entries: StreamEntry[]): void {
    for (const entry of entries) this.#inFlight.add(entry.id);
    const batch = this.#settle(entries).finally(() => {
      for (const entry of entries) this.#inFlight.delete(entry.id);
      this.#batches.delete(batch);
    });
    this.#batches.add(batch);
  }

  /** Settles a batch and acknowledges what settled; on any error the entries stay pending for a retry. */
  async #settle(entries: StreamEntry[]): Promise<void> {
    const { logger } = this.#options;
    const done: string[] = [];
    const settledJobIds: string[] = [];
    const valid: { id: string; payload: SettlementPayload }[] = [];
    for (const entry of entries) {
      const payload = settlementPayloadOf(entry.fields);
      if (payload === undefined) {
        logger.error({ entryId: entry.id }, 'settlement entry names no job; dropped');
        done.push(entry.id);
      } else valid.push({ id: entry.id, payload });
    }
    try {
      const results = valid.length === 0 ? [] : await this.#options.settle(valid.map((entry) => entry.payload));
      valid.forEach(({ id, payload }, index) => {
        const result = results[index];
        if (result?.status === 'fulfilled') {
          done.push(id);
          settledJobIds.push(payload.jobId);
          return;
        }
        const error = asError(result?.reason ?? new Error('no settlement result'));
        logger.warn({ err: error, jobId: payload.jobId }, 'settlement failed; it will be retried');
        this.emit('failed', payload.jobId, error);
      });
    } catch (error) {
      logger.warn({ err: error, jobs: valid.length }, 'settlement batch failed; it will be retried');
      for (const { payload } of valid) this.emit('failed', payload.jobId, asError(error));
    }
    if (done.length === 0) return;
    try {
      await this.#acknowledge(done);
      this.emit('acknowledged', settledJobIds);
    } catch (error) {
      // Still pending: redelivered later, and settled jobs stay settled.
      logger.warn({ err: error, entries: done.length }, 'settlement acknowledgement failed');
    }
  }

  /**
   * Deletes, then acknowledges, in one round trip (a pipeline: MULTI costs as much again). If only
   * the delete lands, the entries stay pending without content, and the next claim drops them.
   */
  async #acknowledge(entryIds: string[]): Promise<void> {
    const { redis, key } = this.#options.stream;
    const replies = await redis
      .pipeline()
      .xdel(key, ...entryIds)
      .xack(key, SETTLEMENT_GROUP, ...entryIds)
      .exec();
    const failure = replies?.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
  }

  /**
   * Claims the pending entries due for another delivery: this consumer's own that are not in hand
   * (a failure whose backoff passed, or left from before a restart) and other consumers' idle for
   * `staleIdleMs`; settles them, and drops those past `maxDeliveries`. Returns how many it claimed.
   */
  async reclaim(): Promise<number> {
    const { stream, consumer, batchSize, logger } = this.#options;
    const pending = (await stream.redis.xpending(
      stream.key,
      SETTLEMENT_GROUP,
      'IDLE',
      retryDelayMs(1),
      '-',
      '+',
      batchSize * 10,
    )) as Deliveries;
    const own: string[] = [];
    const others: string[] = [];
    const spent = new Set<string>();
    for (const [id, owner, idleMs, deliveries] of pending) {
      if (owner === consumer) {
        if (this.#inFlight.has(id) || idleMs < retryDelayMs(deliveries)) continue;
        own.push(id);
      } else if (idleMs >= this.#staleIdleMs) others.push(id);
      else continue;
      if (deliveries >= this.#maxDeliveries) spent.add(id);
    }
    const claimed = [...(await this.#claim(own, retryDelayMs(1))), ...(await this.#claim(others, this.#staleIdleMs))];
    if (spent.size > 0) {
      for (const entry of claimed.filter((candidate) => spent.has(candidate.id))) {
        logger.error(
          { jobId: settlementPayloadOf(entry.fields)?.jobId, entryId: entry.id, deliveries: this.#maxDeliveries },
          'settlement kept failing; dropped from the stream (the sweep settles the job)',
        );
      }
      await this.#acknowledge([...spent]);
    }
    const retried = claimed.filter((entry) => !spent.has(entry.id));
    for (let start = 0; start < retried.length; start += batchSize) {
      this.#dispatch(retried.slice(start, start + batchSize));
    }
    return retried.length;
  }

  /** Every 10 minutes, deletes the consumers idle for a day with nothing pending (replicas long gone). */
  async #forgetGoneConsumers(): Promise<void> {
    if (Date.now() - this.#consumersCheckedAt < 10 * 60_000) return;
    this.#consumersCheckedAt = Date.now();
    const { redis, key } = this.#options.stream;
    const forgotten = await forgetGoneConsumers(redis, key, 24 * 3600_000);
    if (forgotten.length > 0)
      this.#options.logger.info({ consumers: forgotten }, 'forgot settlement consumers long gone');
  }

  /** Takes `entryIds` for this consumer if still idle `minIdleMs` (entries deleted meanwhile are skipped). */
  async #claim(entryIds: string[], minIdleMs: number): Promise<StreamEntry[]> {
    if (entryIds.length === 0) return [];
    const { stream, consumer } = this.#options;
    const reply = (await stream.redis.xclaim(stream.key, SETTLEMENT_GROUP, consumer, minIdleMs, ...entryIds)) as [
      id: string,
      fields: string[],
    ][];
    return entriesOf(reply);
  }
}

function entriesOf(reply: [id: string, fields: string[] | null][] | undefined | null): StreamEntry[] {
  return (reply ?? []).map(([id, fields]) => ({ id, fields: fields ?? [] }));
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
