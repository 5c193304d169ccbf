/**
 * The default space of NAS-solver hyperparameters that a study tunes (the JSTSP extension of
 * Single-Path NAS: a hand-tuned lambda must be re-tuned per data set and schedule, so tune it and its
 * neighbours automatically). Ranges are wide enough to contain both failure modes of a wrong lambda
 * (collapse to skip ops; no effect at all) and are log-scaled where the effect is multiplicative.
 *
 * Units are the engine's, so a proposed value means the same thing in the spec, the sampler, the
 * engine, the status query and the report: `lambda` is the runtime term's whole factor (the
 * reference code's 0.020 is 20). Epochs and latencies are relative (to the study's search epochs and
 * to the largest network's predicted latency on the study's table), so one space fits every budget
 * and device; src/study/trial-plan.ts turns a proposal into an engine config.
 */
import type { SpaceSpec } from './space';
import { Space } from './space';

/** Runtime-loss formulations the NAS engine offers. */
export const RUNTIME_LOSSES = ['log', 'mnas', 'hinge'] as const;
export type RuntimeLoss = (typeof RUNTIME_LOSSES)[number];

/**
 * - `lambda`: weight of the runtime term in engine units, log-uniform over [1, 100] (reference 20).
 * - `targetFraction`: the 'mnas' / 'hinge' target as a fraction of the largest network's predicted
 *   latency (0.4-1.0; unused by 'log').
 * - `thresholdLrMultiplier`: learning rate of the architecture thresholds relative to the weights',
 *   log-uniform over [0.1, 10].
 * - `warmupFraction`: share of the search epochs with lambda = 0 before the runtime term switches on
 *   (rounded to whole epochs, at least 1, at most all but one; reference ~5 of 8).
 * - `runtimeLoss`: 'log' (lambda ln R, the reference), 'mnas' (MnasNet's ratio to the target) or
 *   'hinge' (penalise only R above the target).
 */
export const NAS_HPO_SPACE: SpaceSpec = {
  lambda: { type: 'float', low: 1, high: 100, log: true, default: 20 },
  targetFraction: { type: 'float', low: 0.4, high: 1, default: 0.7 },
  thresholdLrMultiplier: { type: 'float', low: 0.1, high: 10, log: true, default: 1 },
  warmupFraction: { type: 'float', low: 0.25, high: 0.75, default: 0.5 },
  runtimeLoss: { type: 'categorical', choices: [...RUNTIME_LOSSES], default: 'log' },
};

/**
 * The default NAS-hyperparameter space with some parameters replaced or removed (`null`), validated.
 * Example: fix the target by removing it from the search: `nasHyperparameterSpace({ targetFraction: null })`.
 */
export function nasHyperparameterSpace(overrides: Readonly<Record<string, SpaceSpec[string] | null>> = {}): Space {
  const spec: Record<string, SpaceSpec[string]> = { ...NAS_HPO_SPACE };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete spec[k];
    else spec[k] = v;
  }
  return Space.from(spec);
}
