/**
 * The records of a study: what a trial returns, what the study remembers of each trial, its status
 * (the `status` query) and its summary (summary.json in the store, what `spnas report` draws). One
 * ledger: the study workflow owns these records; the sampler keeps only what it needs to propose.
 */
import type { Params } from '../hpo/space';

/** 'cancelled': its trial workflow was cancelled on its own (not with the study); the study replaces it. */
export type TrialState = 'running' | 'ok' | 'failed' | 'cancelled';

/** What one trial produced (TrialWorkflow's result). Only URIs and small metrics. */
export interface TrialResult {
  architecture: string;
  /** Table latency of the derived architecture (exact lookup). */
  predictedMs: number;
  /** Batch-1 latency measured by the evaluate step; undefined when the study uses predicted latency. */
  measuredMs?: number;
  /** Held-out top-1 after the trial's retraining. */
  top1: number;
  supernetTop1: number;
  macs: number;
  search: string;
  train: string;
  model: string;
  trace: string;
  /**
   * Where the search's last attempt started: 0, the shared warm-up's step, or an earlier fidelity's
   * checkpoint; after a retry (a crash, an eviction) the attempt's own last checkpoint.
   */
  searchStartStep: number;
  /**
   * Where the retraining's last attempt started: 0, or (a promotion that derived the same
   * architecture) the lower rung's last step; after a retry, the attempt's own last checkpoint.
   */
  trainStartStep?: number;
  seconds: { search: number; retrain: number; evaluate: number };
}

export interface TrialRecord {
  trialId: number;
  /** Multi-fidelity: trials of one configuration at growing budgets share it. */
  configId?: number;
  budget?: number;
  fidelity: number;
  params: Params;
  state: TrialState;
  /** Workflow times (ms since epoch). */
  startedAt: number;
  endedAt?: number;
  result?: TrialResult;
  failure?: { type: string; message: string };
  /** The latency used as the objective (measured or predicted). */
  latencyMs?: number;
}

export interface FrontMember {
  trialId: number;
  architecture: string;
  top1: number;
  latencyMs: number;
  lambda?: number;
}

export interface FinalModel {
  trialId: number;
  architecture: string;
  /** Held-out top-1 after the final retraining; test top-1 when the spec has a test set. */
  top1: number;
  testTop1?: number;
  latencyMs?: number;
  predictedMs: number;
  model: string;
  seconds: number;
}

export interface ComputeSeconds {
  profile: number;
  warmup: number;
  search: number;
  retrain: number;
  evaluate: number;
  final: number;
  /** Search seconds the shared warm-up saved: the warm-up epochs each trial did not run itself. */
  savedByWarmup: number;
}

export type StudyState = 'running' | 'stopping' | 'final' | 'completed' | 'cancelled' | 'failed';

export interface StudyStatus {
  study: string;
  state: StudyState;
  /** `cancelled` trials do not count toward `planned`: each is replaced by a new one. */
  trials: { total: number; running: number; ok: number; failed: number; cancelled?: number; planned: number };
  parallelism: number;
  /** The most accurate member within the latency target (absent when none meets it: see `targetMs` and the front). */
  best?: FrontMember;
  /** The latency target in ms (what `best` and the final model are selected at). */
  targetMs?: number;
  /** Ids of the trials running now (their workflows: trialWorkflowId(study's workflow id, id)). */
  runningTrials?: number[];
  front: FrontMember[];
  compute: ComputeSeconds;
  /** Hypervolume of the front after each finished trial (reference: 0 top-1, the largest network's latency x 1.5). */
  hypervolume: Array<{ finished: number; hv: number }>;
  /** Workflow time of the study's start (ms since epoch) and of this status. */
  startedAt: number;
  now: number;
}

/**
 * What StudyWorkflow returns: the status with the outcome, no per-trial records, so that it stays small
 * (a few KB) however many trials ran. The records are in the store: summary.json and trials/t<id>.json.
 */
export interface StudyResult extends StudyStatus {
  version: 1;
  /** The study's root in the store. */
  storage: string;
  /** URI of summary.json (every trial's record). */
  summary: string;
  table: { uri: string; largestMs: number; targetMs: number };
  /** "The" model for the latency target: the most accurate front member within it, if any. */
  selected?: FrontMember;
  final: FinalModel[];
  endedAt?: number;
}

/** summary.json: the result plus the spec and every trial's record, in trial order (what `spnas report` draws). */
export interface StudySummary extends StudyResult {
  spec: unknown;
  trialRecords: TrialRecord[];
}
