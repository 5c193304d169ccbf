/**
 * The study's sampler: built from the spec on the first proposal, then restored from its JSON
 * snapshot, told the outcomes that arrived since, and asked for new trials. Pure and deterministic:
 * the proposal activity runs it, so model fitting never runs inside workflow code, and the workflow
 * carries the snapshot (across continue-as-new too). Every sampler comes from the registry.
 */
import { InvalidInputError } from '../errors';
import { nasHyperparameterSpace } from '../hpo/nas-space';
import { samplerDescriptor } from '../hpo/registry';
import { restoreSampler } from '../hpo/restore';
import type { Sampler, SamplerState, Trial, TrialOutcome } from '../hpo/sampler';
import type { SpaceSpec } from '../hpo/space';
import type { StudySpec } from './spec';

/** The part of a study spec the sampler reads: its `hpo` section. */
export type StudyHpo = StudySpec['hpo'];

/** The NAS-hyperparameter space of a spec's `hpo` (defaults with its overrides). */
export function studySpace(hpo: StudyHpo) {
  return nasHyperparameterSpace(hpo.space as Record<string, SpaceSpec[string] | null>);
}

export function createSampler(hpo: StudyHpo): Sampler {
  const d = samplerDescriptor(hpo.sampler);
  if (!d) throw new InvalidInputError(`hpo.sampler: no sampler named '${hpo.sampler}' is registered in this process`);
  const { seed, maxBudget, eta, initialTrials } = hpo;
  // A study maximises a noisy reward, or (vector objective) top-1 up and latency down.
  return d.create(studySpace(hpo), {
    seed,
    maxBudget,
    eta,
    noisy: true,
    directions: d.vectorObjective ? ['maximize', 'minimize'] : ['maximize'],
    ...(initialTrials !== undefined ? { initialTrials } : {}),
  });
}

export interface ProposalInput {
  hpo: StudyHpo;
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
  const sampler = input.samplerState ? restoreSampler(input.samplerState) : createSampler(input.hpo);
  for (const t of input.tells) sampler.tell(t.trialId, t.outcome);
  const trials = Array.from({ length: input.n }, () => sampler.ask());
  return { trials, samplerState: sampler.toJSON() };
}
