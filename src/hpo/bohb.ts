/**
 * BOHB (Falkner, Klein & Hutter, ICML 2018): Hyperband's bracket schedule with new configurations drawn
 * from the TPE-style density-ratio model of tpe-kde.ts instead of uniformly at random.
 */
import type { HyperbandOptions, HyperbandState } from './hyperband';
import { HyperbandSampler } from './hyperband';
import type { SamplerKind } from './sampler';
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
