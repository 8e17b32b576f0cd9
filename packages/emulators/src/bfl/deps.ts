import type { FaultController } from '../faults/fault-controller.ts';
import type { ImageSource } from '../images/image-source.ts';
import type { BflStatsTracker } from './bfl-stats.ts';
import type { DeliverySigner } from './delivery-signer.ts';
import type { TaskStore } from './task-store.ts';

/** Everything the BFL handlers share. */
export interface BflDeps {
  apiKey: string;
  /** `http://host:port`, for `polling_url` and delivery URLs. */
  origin: string;
  latencyMs: number;
  /** How long tasks stay `Pending`, ms. */
  renderMs: number;
  /** How long delivery URLs stay valid after the task became `Ready`, ms. */
  resultTtlMs: number;
  imageBytes: number;
  faults: FaultController;
  stats: BflStatsTracker;
  tasks: TaskStore;
  images: ImageSource;
  signer: DeliverySigner;
  shutdown: AbortSignal;
}

/** The obvious polling path, which also works. */
export const DEFAULT_POLL_PATH = '/v1/get_result';
/**
 * The path `polling_url` points at. Real BFL hands out a different (regional) host; a different
 * path is the local equivalent, so stats reveal clients that rebuild the URL instead of using it.
 */
export const REGIONAL_POLL_PATH = '/us3/v1/get_result';
