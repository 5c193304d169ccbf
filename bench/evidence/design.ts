/**
 * The knob configurations of the trial records, in run order: the default knobs of the NAS-HPO
 * space twice (with its default 'log' runtime loss, which ignores the target, and with 'mnas' and the
 * main command's target fraction 0.7: "one search with the default knobs" of the baseline), then a
 * scrambled Sobol design over the whole space (seed 0: the same points, in the same order, as a GP
 * study's initial design with seed 0; a prefix of a Sobol sequence is itself a balanced design).
 */
import { NAS_HPO_SPACE, nasHyperparameterSpace } from '../../src/hpo/nas-space';
import { RandomSampler } from '../../src/hpo/random-sampler';
import type { Params } from '../../src/hpo/space';
import { TARGET_FRACTION } from './problem';

export interface KnobConfig {
  configId: string;
  source: 'default' | 'default-mnas' | 'sobol' | string;
  knobs: Params;
}

export const DEFAULT_KNOBS: Params = Object.fromEntries(Object.entries(NAS_HPO_SPACE).map(([k, p]) => [k, p.default!]));
/** The baseline's knobs: the defaults with the mnas loss at the study's target (0.7 of the largest network). */
export const DEFAULT_MNAS_KNOBS: Params = { ...DEFAULT_KNOBS, runtimeLoss: 'mnas', targetFraction: TARGET_FRACTION };

/** Sobol points of the design: with the two default configurations, 28 configurations in all. */
export const KNOB_SOBOL_POINTS = 26;

export function knobDesign(sobolPoints = KNOB_SOBOL_POINTS): KnobConfig[] {
  const sobol = new RandomSampler(nasHyperparameterSpace(), { seed: 0, sequence: 'sobol' });
  return [
    { configId: 'default', source: 'default', knobs: DEFAULT_KNOBS },
    { configId: 'default-mnas', source: 'default-mnas', knobs: DEFAULT_MNAS_KNOBS },
    ...Array.from({ length: sobolPoints }, (_, i) => ({ configId: `sobol-${i}`, source: 'sobol', knobs: sobol.ask().params })),
  ];
}
