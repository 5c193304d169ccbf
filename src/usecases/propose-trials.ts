/**
 * Use case: the study's next proposals. The sampler's state (its ledger of every trial it was told
 * about, the GP's observations) grows with the study, so it lives in the store and only its URI
 * crosses the workflow boundary: each proposal reads the previous state, tells the new outcomes,
 * asks, and writes the next state under the proposal's sequence number. The sampler is deterministic,
 * so a retried proposal writes the same document and returns the same trials.
 */
import type { Trial, TrialOutcome } from '../hpo/sampler';
import { studyLayout } from '../study/names';
import { proposeTrials as propose } from '../study/sampler-factory';
import type { StudySpec } from '../study/spec';
import { readJsonUri } from './inputs';
import { writeJsonUri } from '../storage/json-store';
import type { SamplerState } from '../hpo/sampler';

export interface StoredProposalInput {
  spec: StudySpec;
  studyRoot: string;
  /** URI of the sampler's state after the previous proposal; null on the study's first. */
  samplerState: string | null;
  /** Sequence number of this proposal in the study (names the state it writes). */
  proposal: number;
  tells: Array<{ trialId: number; outcome: TrialOutcome }>;
  n: number;
}

export interface StoredProposalOutput {
  trials: Trial[];
  /** URI of the sampler's state after this proposal. */
  samplerState: string;
}

export async function proposeTrials(input: StoredProposalInput): Promise<StoredProposalOutput> {
  const state = input.samplerState ? ((await readJsonUri(input.samplerState, 'sampler state')) as SamplerState) : null;
  const out = propose({ spec: input.spec, samplerState: state, tells: input.tells, n: input.n });
  const uri = studyLayout.samplerState(input.studyRoot, input.proposal);
  await writeJsonUri(uri, out.samplerState);
  return { trials: out.trials, samplerState: uri };
}
