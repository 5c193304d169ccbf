/**
 * BOHB (Falkner, Klein & Hutter, ICML 2018): Hyperband's bracket schedule with new configurations drawn
 * from the TPE-style density-ratio model of tpe-kde.ts instead of uniformly at random.
 */
import type { HyperbandOptions, HyperbandState } from './hyperband';
import { HyperbandSampler, hyperbandSampler } from './hyperband';
import type { SamplerKind } from './sampler';
import { BUILT_IN_SAMPLERS } from './sampler-catalog';
import type { SamplerDescriptor } from './sampler-descriptor';
import type { Space, SpaceSpec } from './space';
import { proposeBohb } from './tpe-kde';

export type BohbOptions = HyperbandOptions;

export class BohbSampler extends HyperbandSampler {
  override readonly kind: SamplerKind = 'bohb';

  constructor(space: SpaceSpec | Space, options: BohbOptions, state?: HyperbandState) {
    super(space, options, state);
    this.proposer = (sp, rng, history, direction) => proposeBohb(sp, rng, history, direction);
  }

  static override fromJSON(state: HyperbandState): BohbSampler {
    return new BohbSampler(state.space, state.options, state);
  }
}

/** Hyperband's snapshot and checks; only the source of new configurations differs. */
export const bohbSampler: SamplerDescriptor = {
  ...hyperbandSampler,
  name: 'bohb',
  kind: 'bohb',
  ...BUILT_IN_SAMPLERS.bohb,
  create: (space, s) => new BohbSampler(space, { seed: s.seed, direction: s.directions[0], maxBudget: s.maxBudget, eta: s.eta }),
  restore: (state) => BohbSampler.fromJSON(state as HyperbandState),
};
