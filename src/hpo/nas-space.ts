/**
 * The default space of NAS-solver hyperparameters that the study tunes (the JSTSP extension of
 * Single-Path NAS: hand-tuned lambda must be re-tuned per data set and schedule, so tune it and its
 * neighbours automatically). Ranges are wide enough to contain both failure modes of a wrong lambda
 * (collapse to skip ops; no effect at all) and are log-scaled where the effect is multiplicative.
 */
import type { SpaceSpec } from './space';
import { Space } from './space';

/** Runtime-loss formulations the NAS engine offers. */
export const RUNTIME_LOSSES = ['log', 'mnas', 'hinge'] as const;
export type RuntimeLoss = (typeof RUNTIME_LOSSES)[number];

/**
 * - `lambda`: weight of the runtime term (reference README 0.02, flag default 0.1; 0.1 collapsed a
 *   Tiny-ImageNet search to skips), log-uniform over [1e-3, 0.3].
 * - `targetLatencyMs`: latency target T used by the 'mnas' and 'hinge' runtime losses (~80 ms on Pixel 1).
 * - `thresholdLrMultiplier`: learning rate of the architecture thresholds relative to the weights',
 *   log-uniform over [0.1, 10].
 * - `warmupEpochs`: epochs with lambda = 0 before the runtime term switches on (reference ~5).
 * - `runtimeLoss`: 'log' (lambda ln R, the reference), 'mnas' (the MnasNet-style ratio to T) or
 *   'hinge' (penalise only R above T).
 */
export const NAS_HPO_SPACE: SpaceSpec = {
  lambda: { type: 'float', low: 1e-3, high: 0.3, log: true, default: 0.02 },
  targetLatencyMs: { type: 'float', low: 40, high: 160, default: 80 },
  thresholdLrMultiplier: { type: 'float', low: 0.1, high: 10, log: true, default: 1 },
  warmupEpochs: { type: 'int', low: 0, high: 10, default: 5 },
  runtimeLoss: { type: 'categorical', choices: [...RUNTIME_LOSSES], default: 'log' },
};

/**
 * The default NAS-hyperparameter space with some parameters replaced or removed (`null`), validated.
 * Example: fix the target by removing it from the search: `nasHyperparameterSpace({ targetLatencyMs: null })`.
 */
export function nasHyperparameterSpace(overrides: Readonly<Record<string, SpaceSpec[string] | null>> = {}): Space {
  const spec: Record<string, SpaceSpec[string]> = { ...NAS_HPO_SPACE };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete spec[k];
    else spec[k] = v;
  }
  return Space.from(spec);
}
