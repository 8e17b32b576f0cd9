/**
 * Local emulators of image-generation provider APIs, for tests, benchmarks and key-less local runs:
 * OpenAI Images, Google (Vertex Imagen `:predict`, Gemini `:generateContent` on Vertex and the
 * Gemini API, OAuth2 service-account tokens) and Black Forest Labs (FLUX submit/poll/deliver).
 * Fault vocabulary, control API and image rendering are provider-neutral.
 */

export type { BflEmulatorStats, BflTaskPolls } from './bfl/bfl-stats.ts';
export type { BflEmulatorOptions, RunningBflEmulator } from './bfl/emulator.ts';
export { startBflEmulator } from './bfl/emulator.ts';
export type { BflModel } from './bfl/models.ts';
export { BFL_MODELS } from './bfl/models.ts';
export type { BflStatus } from './bfl/task-store.ts';
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
export type { GoogleEmulatorOptions, GoogleEmulatorStats, RunningGoogleEmulator } from './google/emulator.ts';
export { startGoogleEmulator } from './google/emulator.ts';
export type { GeminiImageModel, ImagenModel } from './google/models.ts';
export { GEMINI_IMAGE_MODELS, IMAGEN_MODELS } from './google/models.ts';
export type { GoogleEndpointKind } from './google/router-context.ts';
export type { ServiceAccountCredentials } from './oauth/service-account.ts';
export type { OpenAIEmulatorOptions, RunningEmulator } from './openai/emulator.ts';
export { startOpenAIEmulator } from './openai/emulator.ts';
export type { OpenAIImageModel } from './openai/models.ts';
export { OPENAI_IMAGE_MODELS } from './openai/models.ts';
export { mostCallsWithin } from './stats/calls-within.ts';
export type { EmulatorStats } from './stats/stats-recorder.ts';
