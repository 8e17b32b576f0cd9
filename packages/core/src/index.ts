export * from './api-key.ts';
export * from './env.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './logger.ts';
export * from './money.ts';
export * from './periodic-sweep.ts';
export * from './shutdown.ts';
export { StageTimer } from './stage-timer.ts';
