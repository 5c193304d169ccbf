/**
 * spnas/hpo: NAS-hyperparameter optimisation as a standalone, pure-TypeScript library. Parameter
 * spaces, samplers behind one ask/tell interface (random/Sobol, GP-BO with log-EI, ParEGO, Hyperband,
 * BOHB, ASHA), objectives, and Pareto utilities. No I/O; every sampler is deterministic by seed and
 * serialises to JSON (see docs/hpo.md).
 */
export { Space, type ParamSpec, type ParamValue, type Params, type SpaceSpec } from './space';
export { NAS_HPO_SPACE, RUNTIME_LOSSES, nasHyperparameterSpace, type RuntimeLoss } from './nas-space';
export type { Direction, Sampler, SamplerKind, SamplerState, Trial, TrialOutcome, TrialRecord } from './sampler';
export { RandomSampler, type RandomSamplerOptions } from './random-sampler';
export { GpSampler } from './gp-sampler';
export { GP_OPTION_BOUNDS, type BatchStrategy, type FailedTrialPolicy, type GpSamplerOptions, type IncumbentRule } from './gp-options';
export { FailureClassifier, type ClassifierHyper } from './gp-classifier';
export type { PosteriorIncumbent } from './incumbent';
export { ParEgoSampler, augmentedChebyshev, type ParEgoOptions } from './parego';
export { HyperbandSampler, bestAtLargestBudget, type ConfigProposer, type HyperbandOptions } from './hyperband';
export { BohbSampler, type BohbOptions } from './bohb';
export { AshaSampler, type AshaOptions } from './asha';
export { hyperbandBrackets, rungBudgets, type Bracket, type Rung } from './hyperband-schedule';
export { restoreSampler } from './restore';
export { MAX_LISTED_ISSUES, SNAPSHOT_VERSION, parseSnapshot } from './snapshot';
export { registerSampler, samplerDescriptor } from './registry';
export type { IssueSink, SamplerDescriptor, SamplerSettings } from './sampler-descriptor';
export { BUILT_IN_SAMPLERS, GP_MAX_TRIALS, samplerNames, samplerTraits, type SamplerTraits } from './sampler-catalog';
export { BaseSampler, type BaseState } from './base-sampler';
export { MNAS_HARD, MNAS_SOFT, mnasReward, type MnasRewardOptions } from './objectives';
export { dominates, hypervolume2d, nonDominatedSort, paretoFront2d, selectForLatencyTarget, type LatencySelection, type ModelCandidate } from './pareto';
export { expectedImprovement, logExpectedImprovement } from './log-ei';
export { GaussianProcess, type GpHyper } from './gp';
export { Prng } from '../random';
export { SobolSequence } from './sobol';
export { branin, hartmann3, hartmann6, type TestFunction } from './test-functions';
