/**
 * Plumbing every sampler shares: the validated space, the seeded PRNG, the trial ledger and `tell`
 * validation. Algorithms live in the subclasses; this holds no optimisation logic.
 */
import { InvalidInputError } from '../errors';
import { Ledger, type LedgerState } from './ledger';
import { Prng, type PrngState } from '../random';
import type { Direction, Sampler, SamplerKind, SamplerState, Trial, TrialOutcome, TrialRecord } from './sampler';
import { Space, type SpaceSpec } from './space';

/** The part of every sampler's snapshot that this base owns. */
export type BaseState = {
  readonly space: SpaceSpec;
  readonly rng: PrngState;
  readonly ledger: LedgerState;
};

export function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new InvalidInputError(`options.seed: must be a safe integer, got ${JSON.stringify(seed)}`, { code: 'INVALID_OPTIONS' });
  }
  return seed;
}

export function checkDirection(d: unknown, path = 'options.direction'): Direction {
  if (d === undefined) return 'minimize';
  if (d !== 'minimize' && d !== 'maximize')
    throw new InvalidInputError(`${path}: must be 'minimize' or 'maximize', got ${JSON.stringify(d)}`, { code: 'INVALID_OPTIONS' });
  return d;
}

export abstract class BaseSampler implements Sampler {
  abstract readonly kind: SamplerKind;
  readonly space: Space;
  protected readonly rng: Prng;
  protected readonly ledger: Ledger;

  protected constructor(space: SpaceSpec | Space, seed: number, arity: number | undefined, state?: BaseState) {
    this.space = space instanceof Space ? space : Space.from(space);
    this.rng = state ? Prng.fromState(state.rng) : Prng.fromSeed(checkSeed(seed));
    this.ledger = new Ledger(arity, state?.ledger);
  }

  abstract ask(): Trial;
  abstract toJSON(): SamplerState;

  tell(trialId: number, outcome: TrialOutcome): void {
    if (this.ledger.tell(trialId, outcome)) this.onTell(this.ledger.get(trialId));
  }

  /** Hook for samplers that update bookkeeping (rungs, brackets) when a result arrives. */
  protected onTell(_record: TrialRecord): void {}

  trials(): readonly TrialRecord[] {
    return this.ledger.all();
  }

  /** Scalar direction for `best()`; multi-objective samplers override `best`. */
  protected get direction(): Direction {
    return 'minimize';
  }

  best(): TrialRecord | undefined {
    const sign = this.direction === 'minimize' ? 1 : -1;
    let best: TrialRecord | undefined;
    for (const r of this.ledger.all()) {
      if (r.state === 'ok' && (!best || sign * (r.value as number) < sign * (best.value as number))) best = r;
    }
    return best;
  }

  protected baseState(): BaseState {
    return { space: this.space.spec, rng: this.rng.state(), ledger: this.ledger.toJSON() };
  }
}
