/**
 * Local emulators of image-generation provider APIs, for tests, benchmarks and key-less local runs.
 * Today: OpenAI Images. Fault vocabulary, control API and image rendering are provider-neutral.
 */

export type { FaultControllerOptions } from './faults/fault-controller.ts';
export { FaultController } from './faults/fault-controller.ts';
export type {
  ErrorFaultStatus,
  FaultConfig,
  FaultDecision,
  FaultOutcome,
  FaultRates,
  FaultSource,
  FaultState,
  ScriptedFault,
} from './faults/fault-types.ts';
export type { RandomSource } from './faults/seeded-rng.ts';
export { createSeededRng } from './faults/seeded-rng.ts';
export type { OpenAIEmulatorOptions, RunningEmulator } from './openai/emulator.ts';
export { startOpenAIEmulator } from './openai/emulator.ts';
export type { OpenAIImageModel } from './openai/models.ts';
export { OPENAI_IMAGE_MODELS } from './openai/models.ts';
export type { EmulatorStats } from './stats/stats-recorder.ts';
