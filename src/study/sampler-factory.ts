/**
 * The study's sampler: built from the spec on the first proposal, then restored from its JSON
 * snapshot, told the outcomes that arrived since, and asked for new trials. Pure and deterministic:
 * the proposal activity runs it, so model fitting never runs inside workflow code, and the workflow
 * carries the snapshot (across continue-as-new too).
 */
import { AshaSampler } from '../hpo/asha';
import { BohbSampler } from '../hpo/bohb';
import { GpSampler } from '../hpo/gp-sampler';
import { HyperbandSampler } from '../hpo/hyperband';
import { nasHyperparameterSpace } from '../hpo/nas-space';
import { ParEgoSampler } from '../hpo/parego';
import { RandomSampler } from '../hpo/random-sampler';
import { restoreSampler } from '../hpo/restore';
import type { Sampler, SamplerState, Trial, TrialOutcome } from '../hpo/sampler';
import type { SpaceSpec } from '../hpo/space';
import type { StudySpec } from './spec';

/** The NAS-hyperparameter space of a spec (defaults with the spec's overrides). */
export function studySpace(spec: StudySpec) {
  return nasHyperparameterSpace(spec.hpo.space as Record<string, SpaceSpec[string] | null>);
}

/** Whether the sampler takes [top-1, latency] vectors (ParEGO) rather than a scalar reward. */
export function vectorObjective(spec: StudySpec): boolean {
  return spec.hpo.sampler === 'parego';
}

export function createSampler(spec: StudySpec): Sampler {
  const space = studySpace(spec);
  const { seed, maxBudget, eta } = spec.hpo;
  switch (spec.hpo.sampler) {
    case 'random':
      return new RandomSampler(space, { seed, direction: 'maximize' });
    case 'sobol':
      return new RandomSampler(space, { seed, direction: 'maximize', sequence: 'sobol' });
    case 'gp':
      return new GpSampler(space, { seed, direction: 'maximize', incumbent: 'posterior-mean' }); // NAS rewards are noisy
    case 'parego':
      return new ParEgoSampler(space, { seed, directions: ['maximize', 'minimize'] });
    case 'hyperband':
      return new HyperbandSampler(space, { seed, direction: 'maximize', maxBudget, eta });
    case 'asha':
      return new AshaSampler(space, { seed, direction: 'maximize', maxBudget, eta });
    case 'bohb':
      return new BohbSampler(space, { seed, direction: 'maximize', maxBudget, eta });
  }
}

export interface ProposalInput {
  spec: StudySpec;
  /** null on the study's first proposal. */
  samplerState: SamplerState | null;
  tells: Array<{ trialId: number; outcome: TrialOutcome }>;
  n: number;
}

export interface ProposalOutput {
  trials: Trial[];
  samplerState: SamplerState;
}

export function proposeTrials(input: ProposalInput): ProposalOutput {
  const sampler = input.samplerState ? restoreSampler(input.samplerState) : createSampler(input.spec);
  for (const t of input.tells) sampler.tell(t.trialId, t.outcome);
  const trials = Array.from({ length: input.n }, () => sampler.ask());
  return { trials, samplerState: sampler.toJSON() };
}
