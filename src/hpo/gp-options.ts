/**
 * The options of GP-BO (gp-sampler.ts) and ParEGO: their defaults, their bounds, and the one schema a
 * snapshot's options are checked against. Every count is bounded, because each one multiplies the
 * work of a proposal: a snapshot or a caller asking for a billion candidates or restarts is refused
 * instead of running for hours.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { checkDirection, checkSeed } from './base-sampler';
import type { HyperPrior } from './gp-fit';
import type { Direction } from './sampler';
import { GP_MAX_TRIALS } from './sampler-catalog';
import { boundedInt, direction, seed } from './snapshot-fields';
import type { Space } from './space';

export type BatchStrategy = 'kriging-believer' | 'constant-liar-min' | 'constant-liar-mean' | 'constant-liar-max';
export type FailedTrialPolicy = 'classifier' | 'impute-worst' | 'exclude';
export type IncumbentRule = 'observed' | 'posterior-mean';

export interface GpSamplerOptions {
  readonly seed: number;
  readonly direction?: Direction;
  /** Sobol trials before the GP takes over; default max(4, number of parameters + 1). */
  readonly nInitial?: number;
  readonly batchStrategy?: BatchStrategy;
  /**
   * How failed trials shape later proposals: 'classifier' (default) weighs the acquisition by the
   * probability of success from a GP classifier of the failed/ok labels; 'impute-worst' puts the worst
   * observed value at each failed point; 'exclude' ignores failures.
   */
  readonly failedTrials?: FailedTrialPolicy;
  /**
   * What `best()` reports: 'observed' (default), the trial with the best observed value, or
   * 'posterior-mean', the evaluated trial whose GP posterior mean is best (robust to noisy values).
   */
  readonly incumbent?: IncumbentRule;
  /** Space-filling candidates scored per proposal (default 1024). */
  readonly nCandidates?: number;
  /** Random restarts of the hyperparameter fit (default 3, plus the warm and neutral starts). */
  readonly fitRestarts?: number;
  /** Above this many observations the hyperparameters are fitted on a subset (default 100). */
  readonly maxFitPoints?: number;
  /** Hyperparameter priors: 'none' = maximum likelihood, 'gamma' = MAP with weak Gamma priors. */
  readonly hyperPrior?: HyperPrior;
  /**
   * Every k-th model-based proposal minimises the posterior mean instead of maximising log-EI (0 = never;
   * default 3): a greedy step in the spirit of De Ath, Everson, Rahat & Fieldsend, "Greed is good:
   * exploration and exploitation trade-offs in Bayesian optimisation" (ACM TELO 2021). EI alone keeps
   * spreading its evaluations over every basin that might still hold an improvement; the greedy step
   * polishes the incumbent's basin. Measured on Branin over 30 seeds: median evaluations to reach
   * regret 1e-3 fell from 30 (pure EI) to 25 (k = 3).
   */
  readonly exploitEvery?: number;
  /**
   * 'standardize' (default) or 'yeo-johnson', which warps heavy-tailed objectives before standardising
   * (output-transform.ts). Measured over seeds 0-9 (docs/hpo.md "Output transform"): Yeo-Johnson saved
   * 1-3 evaluations at the median on Branin, Hartmann-3 and Hartmann-6 but left one Branin seed short of
   * regret 1e-3 within 50 evaluations, which standardising never did; the default keeps every seed.
   */
  readonly outputTransform?: 'standardize' | 'yeo-johnson';
}

export type ResolvedGpOptions = Required<Omit<GpSamplerOptions, 'direction'>> & { readonly direction: Direction };

export const BATCH_STRATEGIES = [
  'kriging-believer',
  'constant-liar-min',
  'constant-liar-mean',
  'constant-liar-max',
] as const satisfies readonly BatchStrategy[];
export const FAILED_TRIAL_POLICIES = ['classifier', 'impute-worst', 'exclude'] as const satisfies readonly FailedTrialPolicy[];
export const INCUMBENT_RULES = ['observed', 'posterior-mean'] as const satisfies readonly IncumbentRule[];
export const OUTPUT_TRANSFORMS = ['standardize', 'yeo-johnson'] as const;
export const HYPER_PRIORS = ['none', 'gamma', 'lognormal'] as const;

/**
 * [min, max] of each count. nCandidates: 16x the default; fitRestarts and maxFitPoints: each fit
 * costs O(maxFitPoints^3) per likelihood evaluation and restart; nInitial: no more than a GP serves.
 */
export const GP_OPTION_BOUNDS = {
  nInitial: [1, GP_MAX_TRIALS],
  nCandidates: [16, 16_384],
  fitRestarts: [0, 20],
  maxFitPoints: [8, 500],
  exploitEvery: [0, 1000],
} as const satisfies Record<string, readonly [number, number]>;

/** The options as a snapshot stores them (resolved: every field present). */
export const gpOptionsSchema = z.strictObject({
  seed,
  direction,
  nInitial: boundedInt(...GP_OPTION_BOUNDS.nInitial),
  batchStrategy: z.enum(BATCH_STRATEGIES),
  failedTrials: z.enum(FAILED_TRIAL_POLICIES),
  // Absent in snapshots written before the option existed; they meant the lowest observation.
  incumbent: z.enum(INCUMBENT_RULES).default('observed'),
  nCandidates: boundedInt(...GP_OPTION_BOUNDS.nCandidates),
  fitRestarts: boundedInt(...GP_OPTION_BOUNDS.fitRestarts),
  maxFitPoints: boundedInt(...GP_OPTION_BOUNDS.maxFitPoints),
  hyperPrior: z.enum(HYPER_PRIORS),
  outputTransform: z.enum(OUTPUT_TRANSFORMS),
  exploitEvery: boundedInt(...GP_OPTION_BOUNDS.exploitEvery),
});

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string, fallback: T): T {
  if (v === undefined) return fallback;
  if (!allowed.includes(v as T))
    throw new InvalidInputError(`${path}: must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`, { code: 'INVALID_OPTIONS' });
  return v as T;
}

function count(o: GpSamplerOptions, key: keyof typeof GP_OPTION_BOUNDS, fallback: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  const [min, max] = GP_OPTION_BOUNDS[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new InvalidInputError(`options.${key}: must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`, { code: 'INVALID_OPTIONS' });
  return v;
}

export function resolveGpOptions(o: GpSamplerOptions, space: Space): ResolvedGpOptions {
  return {
    seed: checkSeed(o.seed),
    direction: checkDirection(o.direction),
    nInitial: count(o, 'nInitial', Math.max(4, space.dims.length + 1)),
    batchStrategy: oneOf(o.batchStrategy, BATCH_STRATEGIES, 'options.batchStrategy', 'kriging-believer'),
    failedTrials: oneOf(o.failedTrials, FAILED_TRIAL_POLICIES, 'options.failedTrials', 'classifier'),
    incumbent: oneOf(o.incumbent, INCUMBENT_RULES, 'options.incumbent', 'observed'),
    nCandidates: count(o, 'nCandidates', 1024),
    fitRestarts: count(o, 'fitRestarts', 3),
    maxFitPoints: count(o, 'maxFitPoints', 100),
    hyperPrior: oneOf(o.hyperPrior, HYPER_PRIORS, 'options.hyperPrior', 'none'),
    outputTransform: oneOf(o.outputTransform, OUTPUT_TRANSFORMS, 'options.outputTransform', 'standardize'),
    exploitEvery: count(o, 'exploitEvery', 3),
  };
}
