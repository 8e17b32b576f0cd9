import type { FaultOutcome } from '../faults/fault-types.ts';
import type { RenderedImage } from '../images/image-source.ts';
import type { SubmitRequest } from './validate-submit.ts';

/** `status` values of BFL's `ResultResponse` (OpenAPI `StatusResponse`). */
export type BflStatus = 'Task not found' | 'Pending' | 'Request Moderated' | 'Content Moderated' | 'Ready' | 'Error';

/** One submitted generation task. */
export interface BflTask {
  id: string;
  request: SubmitRequest;
  /** The fault decided at submission; it plays out while polling. */
  outcome: FaultOutcome;
  submittedAtMs: number;
  /** When the task leaves `Pending` (never, for `hang`). */
  readyAtMs: number;
  /** The rendered image, once something asked for it (see `taskImage`). */
  image?: Promise<RenderedImage>;
}

/** Tasks kept for polling; the oldest are forgotten (→ `Task not found`) beyond this many. */
const MAX_TASKS = 10_000;

/** In-memory task table, insertion-ordered so eviction drops the oldest. */
export class TaskStore {
  readonly #tasks = new Map<string, BflTask>();

  /** Remembers a task, evicting the oldest when full. */
  add(task: BflTask): void {
    this.#tasks.set(task.id, task);
    if (this.#tasks.size > MAX_TASKS) {
      const oldest = this.#tasks.keys().next();
      if (!oldest.done) this.#tasks.delete(oldest.value);
    }
  }

  /** The task with this id, if still remembered. */
  get(id: string): BflTask | undefined {
    return this.#tasks.get(id);
  }

  /** The status a poll for `id` would report now. */
  statusOf(id: string, nowMs: number = Date.now()): BflStatus {
    const task = this.#tasks.get(id);
    return task === undefined ? 'Task not found' : taskStatus(task, nowMs);
  }
}

/**
 * Where a task stands at `nowMs`. `moderation` is refused on the first poll (input checks run
 * before rendering); `hang` stays `Pending` forever; other outcomes resolve once the render time
 * has passed: `filtered` with nothing left → `Content Moderated`, `failed` or `partial=0` →
 * `Error`, everything else → `Ready`.
 */
export function taskStatus(task: BflTask, nowMs: number): BflStatus {
  const outcome = task.outcome;
  if (outcome.type === 'moderation') return 'Request Moderated';
  if (outcome.type === 'hang' || nowMs < task.readyAtMs) return 'Pending';
  if (outcome.type === 'filtered' && (outcome.images ?? 0) < 1) return 'Content Moderated';
  if (outcome.type === 'failed' || (outcome.type === 'partial' && outcome.images < 1)) return 'Error';
  return 'Ready';
}
