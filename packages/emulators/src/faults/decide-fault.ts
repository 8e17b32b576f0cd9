import type { FaultController } from './fault-controller.ts';
import type { FaultDecision } from './fault-types.ts';
import { parseFaultDirectives } from './prompt-directives.ts';

/**
 * Decides one generation call: directives in the prompt win and leave the shared queue untouched;
 * otherwise the controller decides (consuming one scripted entry if any).
 * @returns the decision, or `{ error }` describing a malformed directive (emulators answer 400).
 */
export function decideFault(prompt: string, faults: FaultController): FaultDecision | { error: string } {
  const directives = parseFaultDirectives(prompt);
  if (directives.kind === 'invalid') return { error: `${directives.reason}: ${directives.directive}` };
  if (directives.kind === 'decision') return directives.decision;
  return faults.next();
}

/**
 * How many of `requested` images a successful outcome delivers: `partial` and `filtered` cap it,
 * everything else delivers all of them.
 */
export function deliveredImages(outcome: FaultDecision['outcome'], requested: number): number {
  if (outcome.type === 'partial') return Math.min(outcome.images, requested);
  if (outcome.type === 'filtered') return Math.min(outcome.images ?? 0, requested);
  return requested;
}
