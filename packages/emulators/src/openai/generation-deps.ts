import type { FaultController } from '../faults/fault-controller.ts';
import type { ImageSource } from '../images/image-source.ts';
import type { StatsRecorder } from '../stats/stats-recorder.ts';

/** Everything the image endpoints (generations, edits) need from the running emulator. */
export interface GenerationDeps {
  apiKey: string;
  /** Fixed latency added to every authenticated, valid call, ms. */
  latencyMs: number;
  /** Minimum encoded image size in bytes; 0 disables padding. */
  imageBytes: number;
  faults: FaultController;
  stats: StatsRecorder;
  images: ImageSource;
  /** Aborts when the emulator closes, releasing hanging and sleeping requests. */
  shutdown: AbortSignal;
}
