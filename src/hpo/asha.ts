/**
 * Asynchronous successive halving, ASHA (Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt, Recht &
 * Talwalkar, "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020, Algorithm 2).
 *
 * Rungs k = 0..K have budgets r_min eta^k (up to R). On `ask()`, from the top rung down, a
 * configuration in the top floor(n_k / eta) of the n_k completed results of rung k that has not been
 * promoted yet is promoted to rung k + 1; if there is none, a new random configuration starts at rung 0.
 * Nothing ever waits for a rung to fill, so workers never idle. Failed trials count towards n_k but
 * are never promoted.
 */
import { z } from 'zod';
import { BaseSampler, checkDirection, type BaseState } from './base-sampler';
import { bestAtLargestBudget, type HyperbandOptions } from './hyperband';
import { bandOptionsSchema, checkBandSnapshot, rungBudgets } from './hyperband-schedule';
import type { Direction, SamplerState, Trial, TrialRecord } from './sampler';
import { BUILT_IN_SAMPLERS } from './sampler-catalog';
import type { SamplerDescriptor } from './sampler-descriptor';
import { checkTrialRef, count } from './snapshot-fields';
import type { Space, SpaceSpec } from './space';

export type AshaOptions = HyperbandOptions;

type AshaState = BaseState & {
  readonly kind: 'asha';
  readonly version: 1;
  readonly options: Required<AshaOptions>;
  /** Trial ids per rung. */
  readonly rungs: readonly (readonly number[])[];
  /** Config ids promoted out of each rung. */
  readonly promoted: readonly (readonly number[])[];
  readonly nextConfigId: number;
};

export class AshaSampler extends BaseSampler {
  readonly kind = 'asha' as const;
  private readonly options: Required<AshaOptions>;
  readonly budgets: readonly number[];
  private readonly rungs: number[][];
  private readonly promoted: Set<number>[];
  private nextConfigId: number;

  constructor(space: SpaceSpec | Space, options: AshaOptions, state?: AshaState) {
    super(space, options.seed, undefined, state);
    this.options = state?.options ?? {
      seed: options.seed,
      direction: checkDirection(options.direction),
      maxBudget: options.maxBudget,
      eta: options.eta ?? 3,
      minBudget: options.minBudget ?? 1,
    };
    this.budgets = rungBudgets(this.options.maxBudget, this.options.eta, this.options.minBudget);
    this.rungs = state ? state.rungs.map((r) => [...r]) : this.budgets.map(() => []);
    this.promoted = state ? state.promoted.map((p) => new Set(p)) : this.budgets.map(() => new Set());
    this.nextConfigId = state?.nextConfigId ?? 0;
  }

  static fromJSON(state: AshaState): AshaSampler {
    return new AshaSampler(state.space, state.options, state);
  }

  protected override get direction(): Direction {
    return this.options.direction;
  }

  override best(): TrialRecord | undefined {
    return bestAtLargestBudget(this.ledger.all(), this.options.direction);
  }

  ask(): Trial {
    const sign = this.options.direction === 'minimize' ? 1 : -1;
    for (let k = this.budgets.length - 2; k >= 0; k--) {
      const done = this.rungs[k]!.map((id) => this.ledger.get(id)).filter((r) => r.state !== 'pending');
      const ok = done.filter((r) => r.state === 'ok').sort((a, b) => sign * ((a.value as number) - (b.value as number)) || a.trialId - b.trialId);
      const top = ok.slice(0, Math.floor(done.length / this.options.eta));
      const pick = top.find((r) => !this.promoted[k]!.has(r.configId!));
      if (pick) {
        this.promoted[k]!.add(pick.configId!);
        const t = this.ledger.add(pick.params, { budget: this.budgets[k + 1]!, configId: pick.configId! });
        this.rungs[k + 1]!.push(t.trialId);
        return t;
      }
    }
    const t = this.ledger.add(this.space.fromCube(this.space.dims.map(() => this.rng.float())), { budget: this.budgets[0]!, configId: this.nextConfigId++ });
    this.rungs[0]!.push(t.trialId);
    return t;
  }

  toJSON(): SamplerState {
    const s: AshaState = {
      kind: 'asha',
      version: 1,
      options: this.options,
      ...this.baseState(),
      rungs: this.rungs.map((r) => [...r]),
      promoted: this.promoted.map((p) => [...p].sort((a, b) => a - b)),
      nextConfigId: this.nextConfigId,
    };
    return s;
  }
}

export const ashaSampler: SamplerDescriptor = {
  name: 'asha',
  kind: 'asha',
  ...BUILT_IN_SAMPLERS.asha,
  options: bandOptionsSchema,
  snapshot: { rungs: z.array(z.array(count)), promoted: z.array(z.array(count)), nextConfigId: count },
  crossCheck: (state, _space, add) => {
    const sched = checkBandSnapshot(state, add);
    if (!sched) return;
    const n = (state.ledger as { records: unknown[] }).records.length;
    const rungs = state.rungs as number[][];
    const promoted = state.promoted as number[][];
    if (rungs.length !== sched.rungCount) add(['rungs'], `needs ${sched.rungCount} rungs for these options, has ${rungs.length}`);
    if (promoted.length !== sched.rungCount) add(['promoted'], `needs ${sched.rungCount} rungs for these options, has ${promoted.length}`);
    rungs.forEach((ids, k) => ids.forEach((id, j) => checkTrialRef(id, n, ['rungs', k, j], add)));
  },
  create: (space, s) => new AshaSampler(space, { seed: s.seed, direction: s.directions[0], maxBudget: s.maxBudget, eta: s.eta }),
  restore: (state) => AshaSampler.fromJSON(state as AshaState),
};
