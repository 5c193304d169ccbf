/**
 * ParEGO (Knowles, "ParEGO: A hybrid algorithm with on-line landscape approximation for expensive
 * multiobjective optimization problems", IEEE TEVC 2006): multi-objective BO by random scalarisation.
 * Each model-based proposal draws a fresh weight vector lambda uniformly from the simplex, normalises
 * every objective to [0, 1] over the observed results, and runs the single-objective GP/log-EI step on
 * the augmented Chebyshev scalarisation
 *   f_lambda(x) = max_j lambda_j f_j(x) + rho sum_j lambda_j f_j(x)      (rho = 0.05),
 * whose minimisers over all lambda cover the whole Pareto front, including its non-convex parts.
 * Trials report a vector of values, e.g. [accuracy, latencyMs] with directions ['maximize', 'minimize'].
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { checkDirection } from './base-sampler';
import { gpOptionsSchema, resolveGpOptions, type GpSamplerOptions } from './gp-options';
import { checkGpSnapshot, gpSnapshotFields, GpSampler, type GpState } from './gp-sampler';
import { nonDominatedSort } from './pareto';
import type { Direction, SamplerKind, SamplerState, TrialRecord } from './sampler';
import { BUILT_IN_SAMPLERS } from './sampler-catalog';
import type { SamplerDescriptor } from './sampler-descriptor';
import { direction, finite } from './snapshot-fields';
import { Space, type SpaceSpec } from './space';

/** The most objectives ParEGO scalarises (a study has two: top-1 and latency). */
export const PAREGO_MAX_OBJECTIVES = 16;

export interface ParEgoOptions extends Omit<GpSamplerOptions, 'direction'> {
  readonly directions: readonly Direction[];
  readonly rho?: number;
}

type ParEgoState = GpState & { readonly parego: { readonly directions: readonly Direction[]; readonly rho: number } };

/** Augmented Chebyshev values of `values` (rows = trials) after per-objective min-max normalisation. */
export function augmentedChebyshev(
  values: readonly (readonly number[])[],
  directions: readonly Direction[],
  weights: readonly number[],
  rho: number,
): number[] {
  const m = directions.length;
  const oriented = values.map((v) => v.map((x, j) => (directions[j] === 'minimize' ? x : -x)));
  // Loops, not Math.min(...column): a spread of a long history overflows the call stack.
  const lo = new Array<number>(m).fill(Infinity);
  const hi = new Array<number>(m).fill(-Infinity);
  for (const v of oriented)
    for (let j = 0; j < m; j++) {
      lo[j] = Math.min(lo[j]!, v[j]!);
      hi[j] = Math.max(hi[j]!, v[j]!);
    }
  return oriented.map((v) => {
    let max = -Infinity;
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const f = hi[j]! > lo[j]! ? (v[j]! - lo[j]!) / (hi[j]! - lo[j]!) : 0;
      max = Math.max(max, weights[j]! * f);
      sum += weights[j]! * f;
    }
    return max + rho * sum;
  });
}

export class ParEgoSampler extends GpSampler {
  override readonly kind: SamplerKind = 'parego';
  readonly directions: readonly Direction[];
  private readonly rho: number;

  constructor(space: SpaceSpec | Space, options: ParEgoOptions, state?: ParEgoState) {
    const sp = space instanceof Space ? space : Space.from(space);
    const directions = state?.parego.directions ?? options.directions;
    if (!Array.isArray(directions) || directions.length < 2 || directions.length > PAREGO_MAX_OBJECTIVES) {
      throw new InvalidInputError(`options.directions: ParEGO needs 2 to ${PAREGO_MAX_OBJECTIVES} objectives, got ${JSON.stringify(directions)}`, {
        code: 'INVALID_OPTIONS',
      });
    }
    directions.forEach((d, i) => checkDirection(d, `options.directions[${i}]`));
    if (!state && options.incumbent !== undefined && options.incumbent !== 'observed') {
      throw new InvalidInputError(
        `options.incumbent: ParEGO reports its front (paretoTrials) and a balanced point (best); 'posterior-mean' applies to one objective only`,
        { code: 'INVALID_OPTIONS' },
      );
    }
    super(sp, state ? state.options : resolveGpOptions({ ...options, direction: 'minimize' }, sp), state, directions.length);
    this.directions = [...directions];
    this.rho = state?.parego.rho ?? options.rho ?? 0.05;
    if (!(this.rho >= 0 && this.rho <= 1)) throw new InvalidInputError(`options.rho: must be a number in [0, 1], got ${this.rho}`, { code: 'INVALID_OPTIONS' });
  }

  static override fromJSON(state: ParEgoState): ParEgoSampler {
    return new ParEgoSampler(state.space, { ...state.options, directions: state.parego.directions }, state);
  }

  protected override targets(ok: readonly TrialRecord[]): number[] {
    // Uniform on the simplex: normalised exponentials (a flat Dirichlet).
    const e = this.directions.map(() => -Math.log(1 - this.rng.float()));
    const total = e.reduce((a, b) => a + b, 0);
    return augmentedChebyshev(
      ok.map((r) => r.value as number[]),
      this.directions,
      e.map((x) => x / total),
      this.rho,
    );
  }

  /** Completed trials on the observed Pareto front, in ask order. */
  paretoTrials(): TrialRecord[] {
    const ok = this.ledger.all().filter((r) => r.state === 'ok');
    const front =
      nonDominatedSort(
        ok.map((r) => r.value as number[]),
        this.directions,
      )[0] ?? [];
    return front.map((i) => ok[i]!);
  }

  /** A posterior-mean incumbent needs one objective; ParEGO has none to rank by. */
  override bestByPosteriorMean(): undefined {
    return undefined;
  }

  /** The trial minimising the equal-weight Chebyshev scalarisation (a balanced point of the front). */
  override best(): TrialRecord | undefined {
    const ok = this.ledger.all().filter((r) => r.state === 'ok');
    if (ok.length === 0) return undefined;
    const w = this.directions.map(() => 1 / this.directions.length);
    const s = augmentedChebyshev(
      ok.map((r) => r.value as number[]),
      this.directions,
      w,
      this.rho,
    );
    let bi = 0;
    for (let i = 1; i < s.length; i++) if (s[i]! < s[bi]!) bi = i;
    return ok[bi];
  }

  override toJSON(): SamplerState {
    const s: ParEgoState = { ...(super.toJSON() as GpState), parego: { directions: [...this.directions], rho: this.rho } };
    return s;
  }
}

type ParEgoFields = { parego: { directions: unknown[] } };

export const paregoSampler: SamplerDescriptor = {
  name: 'parego',
  kind: 'parego',
  ...BUILT_IN_SAMPLERS.parego,
  options: gpOptionsSchema,
  snapshot: {
    ...gpSnapshotFields,
    parego: z.strictObject({
      directions: z
        .array(direction)
        .min(2, 'ParEGO needs at least two objectives')
        .max(PAREGO_MAX_OBJECTIVES, `ParEGO takes at most ${PAREGO_MAX_OBJECTIVES} objectives`),
      rho: finite.refine((v) => v >= 0 && v <= 1, 'must be in [0, 1]'),
    }),
  },
  crossCheck: checkGpSnapshot,
  arity: (state) => (state as unknown as ParEgoFields).parego.directions.length,
  create: (space, s) =>
    new ParEgoSampler(space, { seed: s.seed, directions: s.directions, ...(s.initialTrials !== undefined ? { nInitial: s.initialTrials } : {}) }),
  restore: (state) => ParEgoSampler.fromJSON(state as ParEgoState),
};
