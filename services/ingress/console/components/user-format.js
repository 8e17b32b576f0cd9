import { usd } from '../lib/format.js';

/** A change of money with its sign, e.g. "+$5.000", "−$0.0630" (zero without a sign). */
export function signedUsd(amount) {
  if (amount === null || amount === undefined) return '—';
  return Number(amount) > 0 ? `+${usd(amount)}` : usd(amount);
}

/** A duration in milliseconds as a person reads it: "320 ms", "8.1 s", "2 min 5 s". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Statuses after which a job changes no more. */
export const FINAL_STATUSES = ['succeeded', 'failed', 'canceled'];

export function isFinal(status) {
  return FINAL_STATUSES.includes(status);
}
