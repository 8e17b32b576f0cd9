/**
 * Pieces of the `redis-footprint` figure: what a value in Redis that holds image bytes looks like,
 * the BullMQ job hashes of a queue by state (with `MEMORY USAGE … SAMPLES 0`), and a scan of every
 * key under a prefix.
 */
import type { Redis } from '@imagegate/queue';
import { percentile } from './stats.ts';

/** Signatures of image files, raw and as the start of their base64 (what a `b64_json` carries). */
const IMAGE_SIGNATURES: readonly Buffer[] = [
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), // PNG
  Buffer.from([0xff, 0xd8, 0xff]), // JPEG
  Buffer.from('GIF8'),
  ...['iVBORw0KGgo', '/9j/', 'R0lGOD', 'UklGR'].map((text) => Buffer.from(text)),
];
const WEBP = [Buffer.from('RIFF'), Buffer.from('WEBP')] as const;

/**
 * The bytes of `value` counted as image bytes: all of it when it contains an image signature (PNG,
 * JPEG, GIF, WebP, raw or base64), else 0. Short values (< `minBytes`) are not images: a JPEG's
 * base64 prefix `/9j/` could occur in any text.
 */
export function imageBytesIn(value: Buffer, minBytes = 256): number {
  if (value.length < minBytes) return 0;
  if (IMAGE_SIGNATURES.some((signature) => value.includes(signature))) return value.length;
  const riff = value.indexOf(WEBP[0]);
  if (riff !== -1 && value.subarray(riff + 8, riff + 12).equals(WEBP[1])) return value.length;
  return 0;
}

export interface Distribution {
  count: number;
  mean: number;
  p99: number;
  max: number;
}

/** Count, mean, nearest-rank p99 and max (NaN for an empty list, count 0). */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted.at(-1) ?? Number.NaN),
  };
}

/** BullMQ 6's per-queue keys that list job ids, by the state they mean, with their Redis type. */
export const JOB_STATE_KEYS = {
  waiting: { key: 'wait', type: 'list' },
  paused: { key: 'paused', type: 'list' },
  active: { key: 'active', type: 'list' },
  prioritized: { key: 'prioritized', type: 'zset' },
  delayed: { key: 'delayed', type: 'zset' },
  'waiting-children': { key: 'waiting-children', type: 'zset' },
  completed: { key: 'completed', type: 'zset' },
  failed: { key: 'failed', type: 'zset' },
} as const;
export type JobState = keyof typeof JOB_STATE_KEYS;

/** A large value or one holding image bytes, for the record. */
export interface Finding {
  key: string;
  field?: string;
  bytes: number;
  image: boolean;
}

/**
 * Watches queues' job hashes: each `sample()` lists the job ids in every state of every queue and
 * reads each job's hash size (`MEMORY USAGE <prefix>:<queue>:<id> SAMPLES 0`) and fields. Per queue
 * and state it keeps, per job, the largest size seen, so a job counts once in each state it was seen
 * in. Fields are checked for image bytes and for length over `largeBytes`.
 */
export class JobHashSampler {
  /** queue → state → job id → largest bytes seen. */
  readonly sizes = new Map<string, Map<JobState, Map<string, number>>>();
  readonly findings: Finding[] = [];
  /** The largest field of any job hash, seen in any state, for the record. */
  readonly largestFields = new Map<string, { queue: string; state: JobState; bytes: number; sample: string }>();
  samples = 0;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #queues: readonly string[];
  readonly #largeBytes: number;

  constructor(redis: Redis, prefix: string, queues: readonly string[], largeBytes = 16 * 1024) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#queues = queues;
    this.#largeBytes = largeBytes;
  }

  async sample(): Promise<void> {
    const listing = this.#redis.pipeline();
    const asked: { queue: string; state: JobState }[] = [];
    for (const queue of this.#queues) {
      for (const [state, { key, type }] of Object.entries(JOB_STATE_KEYS) as [
        JobState,
        (typeof JOB_STATE_KEYS)[JobState],
      ][]) {
        const full = `${this.#prefix}:${queue}:${key}`;
        if (type === 'list') listing.lrange(full, 0, -1);
        else listing.zrange(full, 0, -1);
        asked.push({ queue, state });
      }
    }
    const listed = (await listing.exec()) ?? [];
    const jobs: { queue: string; state: JobState; id: string }[] = [];
    listed.forEach(([error, ids], index) => {
      const where = asked[index];
      if (error || where === undefined) return;
      for (const id of ids as string[]) jobs.push({ ...where, id });
    });
    const reading = this.#redis.pipeline();
    for (const job of jobs) {
      const key = `${this.#prefix}:${job.queue}:${job.id}`;
      reading.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      reading.hgetallBuffer(key);
    }
    const read = (await reading.exec()) ?? [];
    jobs.forEach((job, index) => {
      const [usageError, usage] = read[index * 2] ?? [];
      const [, fields] = read[index * 2 + 1] ?? [];
      // A job that left between the listing and the read has no hash (usage null): not counted.
      if (usageError || typeof usage !== 'number') return;
      const byState = this.sizes.get(job.queue) ?? new Map<JobState, Map<string, number>>();
      this.sizes.set(job.queue, byState);
      const byId = byState.get(job.state) ?? new Map<string, number>();
      byState.set(job.state, byId);
      byId.set(job.id, Math.max(usage, byId.get(job.id) ?? 0));
      const key = `${this.#prefix}:${job.queue}:${job.id}`;
      for (const [field, value] of Object.entries((fields ?? {}) as Record<string, Buffer>)) {
        const image = imageBytesIn(value) > 0;
        if (image || value.length > this.#largeBytes) {
          if (!this.findings.some((finding) => finding.key === key && finding.field === field)) {
            this.findings.push({ key, field, bytes: value.length, image });
          }
        }
        const largest = this.largestFields.get(field);
        if (largest === undefined || value.length > largest.bytes) {
          this.largestFields.set(field, {
            queue: job.queue,
            state: job.state,
            bytes: value.length,
            sample: value.subarray(0, 160).toString('utf8'),
          });
        }
      }
    });
    this.samples++;
  }

  /** Per queue and state, the distribution of the jobs' largest sizes. */
  distributions(): Record<string, Partial<Record<JobState, Distribution>>> {
    const out: Record<string, Partial<Record<JobState, Distribution>>> = {};
    for (const [queue, byState] of this.sizes) {
      out[queue] = {};
      for (const [state, byId] of byState) out[queue][state] = distribution([...byId.values()]);
    }
    return out;
  }
}

export interface PrefixScan {
  keys: number;
  totalBytes: number;
  /** Bytes by key kind: the key with the queue and a job id replaced by `<id>`, e.g. `provider-openai:<id>`. */
  bytesByKind: Record<string, { keys: number; bytes: number }>;
  imageBytes: number;
  findings: Finding[];
}

/**
 * Every key under `<prefix>:`: its `MEMORY USAGE … SAMPLES 0` and every value in it (string, hash
 * fields, list, set and sorted-set members, stream entries) checked for image bytes and for length
 * over `largeBytes`. `isJobId` tells a job id from a queue's own key names, for `bytesByKind`.
 */
export async function scanPrefix(
  redis: Redis,
  prefix: string,
  options: { largeBytes?: number; isJobId?: (part: string) => boolean } = {},
): Promise<PrefixScan> {
  const largeBytes = options.largeBytes ?? 16 * 1024;
  const isJobId = options.isJobId ?? ((part: string) => !/^[a-z-]+$/.test(part));
  const scan: PrefixScan = { keys: 0, totalBytes: 0, bytesByKind: {}, imageBytes: 0, findings: [] };
  const check = (key: string, value: Buffer, field?: string) => {
    const image = imageBytesIn(value);
    scan.imageBytes += image;
    if (image > 0 || value.length > largeBytes) {
      scan.findings.push({ key, ...(field === undefined ? {} : { field }), bytes: value.length, image: image > 0 });
    }
  };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const meta = redis.pipeline();
    for (const key of keys) {
      meta.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      meta.type(key);
    }
    const answers = (await meta.exec()) ?? [];
    for (const [index, key] of keys.entries()) {
      const usage = answers[index * 2]?.[1];
      const type = answers[index * 2 + 1]?.[1];
      if (typeof usage !== 'number') continue; // gone meanwhile
      scan.keys++;
      scan.totalBytes += usage;
      const kind = key
        .slice(prefix.length + 1)
        .split(':')
        .map((part, position) => (position > 0 && isJobId(part) ? '<id>' : part))
        .join(':');
      const entry = scan.bytesByKind[kind] ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += usage;
      scan.bytesByKind[kind] = entry;
      if (type === 'string') {
        const value = await redis.getBuffer(key);
        if (value) check(key, value);
      } else if (type === 'hash') {
        for (const [field, value] of Object.entries(await redis.hgetallBuffer(key))) check(key, value, field);
      } else if (type === 'list') {
        for (const value of await redis.lrangeBuffer(key, 0, -1)) check(key, value);
      } else if (type === 'set') {
        for (const value of await redis.smembersBuffer(key)) check(key, value);
      } else if (type === 'zset') {
        for (const value of await redis.zrangeBuffer(key, 0, -1)) check(key, value);
      } else if (type === 'stream') {
        const entries = (await redis.xrangeBuffer(key, '-', '+')) as [Buffer, Buffer[]][];
        for (const [, fields] of entries) {
          for (let at = 0; at + 1 < fields.length; at += 2) {
            const value = fields[at + 1];
            if (value) check(key, value, fields[at]?.toString());
          }
        }
      }
    }
  } while (cursor !== '0');
  return scan;
}
