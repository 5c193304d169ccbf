/**
 * Hyperband (Li et al., JMLR 2018) behind the ask/tell interface, with a pluggable source of new
 * configurations: uniform random (plain Hyperband) or a model (BOHB, see bohb.ts).
 *
 * Fidelity is the trial's `budget`: in spnas, search epochs after warm-up. Brackets follow
 * hyperband-schedule.ts exactly. Parallelism: `ask()` never blocks. It fills the oldest bracket run
 * that has an unissued slot; when every active run is waiting for results of its current rung it
 * starts the next bracket of the schedule (cycling s_max..0, then a new Hyperband iteration), as
 * parallel BOHB does (Falkner, Klein & Hutter, ICML 2018, sec. 4.2).
 *
 * A promotion is a new trial with the same `configId` and a larger budget. Ranking within a rung:
 * better value first, ties by configId (earlier first). Failed trials are never promoted: if fewer
 * configurations succeeded than the next rung holds, the next rung is smaller (or the bracket ends),
 * rather than spending a larger budget on a configuration known to crash.
 */
import { z } from 'zod';
import { BaseSampler, checkDirection, type BaseState } from './base-sampler';
import { bandOptionsSchema, checkBandSnapshot, hyperbandBrackets, type Bracket } from './hyperband-schedule';
import type { Prng } from '../random';
import type { Direction, SamplerKind, SamplerState, Trial, TrialRecord } from './sampler';
import { BUILT_IN_SAMPLERS } from './sampler-catalog';
import type { SamplerDescriptor } from './sampler-descriptor';
import { checkParams, checkTrialRef, count, params } from './snapshot-fields';
import type { Params, Space, SpaceSpec } from './space';

export interface HyperbandOptions {
  readonly seed: number;
  readonly direction?: Direction;
  /** R: the largest budget (e.g. all search epochs after warm-up). */
  readonly maxBudget: number;
  /** Reduction factor, default 3. */
  readonly eta?: number;
  /** Smallest budget, default 1. */
  readonly minBudget?: number;
}

/** Produces a new configuration given the history (random for Hyperband, a model for BOHB). */
export type ConfigProposer = (space: Space, rng: Prng, history: readonly TrialRecord[], direction: Direction) => Params;

interface RunState {
  readonly s: number;
  rung: number;
  configs: { configId: number; params: Params }[];
  trialIds: (number | null)[];
}

export type HyperbandState = BaseState & {
  readonly kind: SamplerKind;
  readonly version: 1;
  readonly options: Required<HyperbandOptions>;
  readonly runs: readonly RunState[];
  readonly nextBracket: number;
  readonly nextConfigId: number;
};

/** The best ok trial at the largest budget that has any ok trial. */
export function bestAtLargestBudget(records: readonly TrialRecord[], direction: Direction): TrialRecord | undefined {
  const sign = direction === 'minimize' ? 1 : -1;
  let best: TrialRecord | undefined;
  for (const r of records) {
    if (r.state !== 'ok') continue;
    const b = r.budget ?? 0;
    const bb = best?.budget ?? 0;
    if (!best || b > bb || (b === bb && sign * (r.value as number) < sign * (best.value as number))) best = r;
  }
  return best;
}

const randomProposer: ConfigProposer = (space, rng) => space.fromCube(space.dims.map(() => rng.float()));

export class HyperbandSampler extends BaseSampler {
  readonly kind: SamplerKind = 'hyperband';
  protected readonly options: Required<HyperbandOptions>;
  readonly brackets: readonly Bracket[];
  private runs: RunState[];
  private nextBracket: number;
  private nextConfigId: number;
  protected proposer: ConfigProposer = randomProposer;

  constructor(space: SpaceSpec | Space, options: HyperbandOptions, state?: HyperbandState) {
    super(space, options.seed, undefined, state);
    this.options = state?.options ?? {
      seed: options.seed,
      direction: checkDirection(options.direction),
      maxBudget: options.maxBudget,
      eta: options.eta ?? 3,
      minBudget: options.minBudget ?? 1,
    };
    this.brackets = hyperbandBrackets(this.options.maxBudget, this.options.eta, this.options.minBudget);
    this.runs = state ? state.runs.map((r) => ({ ...r, configs: [...r.configs], trialIds: [...r.trialIds] })) : [];
    this.nextBracket = state?.nextBracket ?? 0;
    this.nextConfigId = state?.nextConfigId ?? 0;
  }

  static fromJSON(state: HyperbandState): HyperbandSampler {
    return new HyperbandSampler(state.space, state.options, state);
  }

  protected override get direction(): Direction {
    return this.options.direction;
  }

  override best(): TrialRecord | undefined {
    return bestAtLargestBudget(this.ledger.all(), this.options.direction);
  }

  ask(): Trial {
    for (const run of this.runs) {
      const t = this.issue(run);
      if (t) return t;
    }
    const s = this.brackets[this.nextBracket % this.brackets.length]!.s;
    this.nextBracket++;
    const run: RunState = { s, rung: 0, configs: [], trialIds: [] };
    this.runs.push(run);
    return this.issue(run)!;
  }

  private bracketOf(run: RunState): Bracket {
    return this.brackets.find((b) => b.s === run.s)!;
  }

  /** Trials the run's current rung holds: n_0 at the bottom, the promoted configurations above. */
  private rungSize(run: RunState): number {
    return run.rung === 0 ? this.bracketOf(run).rungs[0]!.n : run.configs.length;
  }

  private issue(run: RunState): Trial | undefined {
    const rung = this.bracketOf(run).rungs[run.rung]!;
    if (run.trialIds.length >= this.rungSize(run)) return undefined;
    if (run.rung === 0) {
      // Configurations are drawn when issued, so a model-based proposer sees every result so far.
      const params = this.proposer(this.space, this.rng, this.ledger.all(), this.options.direction);
      run.configs.push({ configId: this.nextConfigId++, params });
    }
    const c = run.configs[run.trialIds.length]!;
    const t = this.ledger.add(c.params, { budget: rung.budget, configId: c.configId });
    run.trialIds.push(t.trialId);
    return t;
  }

  protected override onTell(record: TrialRecord): void {
    const run = this.runs.find((r) => r.trialIds.includes(record.trialId));
    if (!run) return;
    const bracket = this.bracketOf(run);
    const recs = run.trialIds.map((id) => this.ledger.get(id!));
    if (recs.length < this.rungSize(run) || recs.some((r) => r.state === 'pending')) return;
    if (run.rung === bracket.rungs.length - 1) {
      this.runs = this.runs.filter((r) => r !== run);
      return;
    }
    const sign = this.options.direction === 'minimize' ? 1 : -1;
    const key = (r: TrialRecord) => (r.state === 'ok' ? sign * (r.value as number) : Infinity);
    const cmp = (a: number, b: number) => {
      const ka = key(recs[a]!);
      const kb = key(recs[b]!);
      return ka < kb ? -1 : ka > kb ? 1 : run.configs[a]!.configId - run.configs[b]!.configId;
    };
    const order = recs.map((_, i) => i).sort(cmp);
    const keep = Math.min(bracket.rungs[run.rung + 1]!.n, recs.filter((r) => r.state === 'ok').length);
    if (keep === 0) {
      this.runs = this.runs.filter((r) => r !== run);
      return;
    }
    run.configs = order.slice(0, keep).map((i) => run.configs[i]!);
    run.trialIds = [];
    run.rung++;
  }

  toJSON(): SamplerState {
    const s: HyperbandState = {
      kind: this.kind,
      version: 1,
      options: this.options,
      ...this.baseState(),
      runs: this.runs.map((r) => ({ ...r, configs: [...r.configs], trialIds: [...r.trialIds] })),
      nextBracket: this.nextBracket,
      nextConfigId: this.nextConfigId,
    };
    return s;
  }
}

const runState = z.strictObject({
  s: count,
  rung: count,
  configs: z.array(z.strictObject({ configId: count, params })),
  trialIds: z.array(count.nullable()),
});

export const hyperbandSampler: SamplerDescriptor = {
  name: 'hyperband',
  kind: 'hyperband',
  ...BUILT_IN_SAMPLERS.hyperband,
  options: bandOptionsSchema,
  snapshot: { runs: z.array(runState), nextBracket: count, nextConfigId: count },
  crossCheck: (state, space, add) => {
    const sched = checkBandSnapshot(state, add);
    if (!sched) return;
    const n = (state.ledger as { records: unknown[] }).records.length;
    const nextConfigId = state.nextConfigId as number;
    (state.runs as z.infer<typeof runState>[]).forEach((run, k) => {
      if (!sched.sValues.includes(run.s)) add(['runs', k, 's'], `is ${run.s}, not a bracket of these options (${sched.sValues.join(', ')})`);
      else if (run.rung > run.s) add(['runs', k, 'rung'], `is ${run.rung}, bracket ${run.s} has rungs 0..${run.s}`);
      run.trialIds.forEach((id, j) => checkTrialRef(id, n, ['runs', k, 'trialIds', j], add));
      run.configs.forEach((c, j) => {
        checkParams(c.params, space, ['runs', k, 'configs', j, 'params'], add);
        if (c.configId >= nextConfigId) add(['runs', k, 'configs', j, 'configId'], `is ${c.configId}, not below nextConfigId ${nextConfigId}`);
      });
    });
  },
  create: (space, s) => new HyperbandSampler(space, { seed: s.seed, direction: s.directions[0], maxBudget: s.maxBudget, eta: s.eta }),
  restore: (state) => HyperbandSampler.fromJSON(state as HyperbandState),
};
