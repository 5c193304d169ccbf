/**
 * Random search (Bergstra & Bengio, JMLR 2012) and its quasi-random variant on a scrambled Sobol
 * sequence, which covers the space more evenly for the same number of trials. A strong baseline: the
 * JSTSP study found random search competitive for NAS hyperparameters.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { BaseSampler, checkDirection, type BaseState } from './base-sampler';
import type { Direction, SamplerState, Trial } from './sampler';
import { BUILT_IN_SAMPLERS } from './sampler-catalog';
import type { SamplerDescriptor } from './sampler-descriptor';
import { checkSobolState, direction, seed, sobolState } from './snapshot-fields';
import { SOBOL_MAX_DIM, SobolSequence, type SobolState } from './sobol';
import type { Space, SpaceSpec } from './space';

export interface RandomSamplerOptions {
  readonly seed: number;
  readonly direction?: Direction;
  /** 'uniform' (default) or 'sobol' (scrambled, up to {@link SOBOL_MAX_DIM} parameters). */
  readonly sequence?: 'uniform' | 'sobol';
}

type RandomState = BaseState & {
  readonly kind: 'random';
  readonly version: 1;
  readonly options: Required<RandomSamplerOptions>;
  readonly sobol?: SobolState;
};

export class RandomSampler extends BaseSampler {
  readonly kind = 'random' as const;
  private readonly options: Required<RandomSamplerOptions>;
  private readonly sobol: SobolSequence | undefined;

  constructor(space: SpaceSpec | Space, options: RandomSamplerOptions, state?: RandomState) {
    super(space, options.seed, undefined, state);
    const sequence = options.sequence ?? 'uniform';
    if (sequence !== 'uniform' && sequence !== 'sobol') {
      throw new InvalidInputError(`options.sequence: must be 'uniform' or 'sobol', got ${JSON.stringify(sequence)}`, { code: 'INVALID_OPTIONS' });
    }
    if (sequence === 'sobol' && this.space.dims.length > SOBOL_MAX_DIM) {
      throw new InvalidInputError(`options.sequence: 'sobol' supports at most ${SOBOL_MAX_DIM} parameters, this space has ${this.space.dims.length}`, {
        code: 'INVALID_OPTIONS',
      });
    }
    this.options = { seed: options.seed, direction: checkDirection(options.direction), sequence };
    this.sobol =
      sequence === 'sobol' ? (state?.sobol ? SobolSequence.fromState(state.sobol) : SobolSequence.create(this.space.dims.length, this.rng)) : undefined;
  }

  static fromJSON(state: RandomState): RandomSampler {
    return new RandomSampler(state.space, state.options, state);
  }

  protected override get direction(): Direction {
    return this.options.direction;
  }

  ask(): Trial {
    const u = this.sobol ? this.sobol.next() : this.space.dims.map(() => this.rng.float());
    return this.ledger.add(this.space.fromCube(u));
  }

  toJSON(): SamplerState {
    const s: RandomState = { kind: 'random', version: 1, options: this.options, ...this.baseState(), ...(this.sobol ? { sobol: this.sobol.state() } : {}) };
    return s;
  }
}

export const randomSampler: SamplerDescriptor = {
  name: 'random',
  kind: 'random',
  ...BUILT_IN_SAMPLERS.random,
  options: z.strictObject({ seed, direction, sequence: z.enum(['uniform', 'sobol']) }),
  snapshot: { sobol: sobolState.optional() },
  crossCheck: (state, space, add) =>
    checkSobolState(state.sobol as z.infer<typeof sobolState> | undefined, space, (state.ledger as { records: unknown[] }).records.length, add),
  create: (space, s) => new RandomSampler(space, { seed: s.seed, direction: s.directions[0] }),
  restore: (state) => RandomSampler.fromJSON(state as RandomState),
};

/** Random search on a scrambled Sobol sequence: a variant whose snapshots are random search's. */
export const sobolSampler: SamplerDescriptor = {
  ...randomSampler,
  name: 'sobol',
  ...BUILT_IN_SAMPLERS.sobol,
  create: (space, s) => new RandomSampler(space, { seed: s.seed, direction: s.directions[0], sequence: 'sobol' }),
};
