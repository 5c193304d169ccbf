/**
 * The records of a study: what a trial returns, what the study remembers of each trial, its status
 * (the `status` query) and its summary (summary.json in the store, what `spnas report` draws). One
 * ledger: the study workflow owns these records; the sampler keeps only what it needs to propose.
 */
import type { Params } from '../hpo/space';
import type { Decision, TieBreak } from './resolved-ranking';

/**
 * An accuracy's sample size and 95% Wilson interval (src/study/accuracy.ts). Both are absent in
 * records written before they were kept: the count is unknown, so there is no interval.
 */
export interface Top1Uncertainty {
  /** Images the top-1 was measured on. */
  images?: number;
  /** 95% Wilson interval [low, high] of the top-1. */
  interval?: [number, number];
}

import type { DeviceFingerprint } from '../latency/device-fingerprint';
import type { TableAccuracy } from '../latency/prediction-error';
import type { TableCheck } from '../latency/table-check';

/** device.json of a study: the device its table belongs to, where the table came from, the check, and the measured largest network. */
export interface DeviceTableRecord {
  fingerprint: DeviceFingerprint;
  /** 'given' (the spec's or the shipped table), 'cache' or 'profiled' (this device's, from the table cache or profiled at the start), 'profile-activity'. */
  source: 'given' | 'cache' | 'profiled' | 'profile-activity';
  cacheKey: string;
  check?: TableCheck;
  /**
   * The largest network on this device, with its interval (measured latency only): the reference every
   * measured latency is a ratio to. `reference`: read from the device's cache or measured by this study.
   */
  largest?: { ms: number; intervalMs: [number, number]; repeats: number; reference?: 'cache' | 'measured'; measuredAt?: string };
}

/** 'cancelled': its trial workflow was cancelled on its own (not with the study); the study replaces it. */
export type TrialState = 'running' | 'ok' | 'failed' | 'cancelled';

/** What one trial produced (TrialWorkflow's result). Only URIs and small metrics. */
export interface TrialResult {
  architecture: string;
  /** Table latency of the derived architecture (exact lookup). */
  predictedMs: number;
  /** Batch-1 latency measured by the evaluate step; undefined when the study uses predicted latency. */
  measuredMs?: number;
  /** 95% interval of measuredMs (the measurement's own: the paired ratio's, in ms); absent from older workers' results. */
  measuredIntervalMs?: [number, number];
  /** Held-out top-1 after the trial's retraining; `images` and `interval` are its sample size and 95% interval. */
  top1: number;
  images?: number;
  interval?: [number, number];
  supernetTop1: number;
  /** The supernet's top-1 on the same held-out images: its count and interval. */
  supernetImages?: number;
  supernetInterval?: [number, number];
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

export interface FrontMember extends Top1Uncertainty {
  trialId: number;
  architecture: string;
  top1: number;
  latencyMs: number;
  lambda?: number;
  /** Trials whose top-1 is tied with this member's (within the intervals) that it kept off the front, and the tie-break that did. */
  ties?: Array<{ trialId: number; by: TieBreak }>;
}

/** How the model at the latency target was chosen (src/study/resolved-ranking.ts). */
export interface SelectionDecision {
  trialId: number;
  /** 'resolved': the intervals separated it from every other contender; else the tie-break that decided. */
  decidedBy: Decision;
  /** The contenders within the target whose top-1 was tied with the most accurate one's. */
  tiedWith: number[];
}

export interface FinalModel extends Top1Uncertainty {
  trialId: number;
  architecture: string;
  /** Held-out top-1 after the final retraining (its images and interval); test top-1 when the spec has a test set. */
  top1: number;
  testTop1?: number;
  testImages?: number;
  testInterval?: [number, number];
  latencyMs?: number;
  /** 95% interval of latencyMs (the measurement's own). */
  latencyIntervalMs?: [number, number];
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
  /** How `best` (and `selected`) was chosen among trials whose top-1s the intervals cannot tell apart. */
  selection?: SelectionDecision;
  /** The latency target in ms (what `best` and the final model are selected at). */
  targetMs?: number;
  /** Ids of the trials running now (their workflows: trialWorkflowId(study's workflow id, id)). */
  runningTrials?: number[];
  front: FrontMember[];
  compute: ComputeSeconds;
  /** Hypervolume of the front after each finished trial (reference: 0 top-1, the largest network's latency x 1.5). */
  hypervolume: Array<{ finished: number; hv: number }>;
  /** How well the latency table predicted the networks the study measured (absent with predicted latency, or before any). */
  tableAccuracy?: TableAccuracy;
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
  /**
   * largestMs: the table's prediction for the largest network; measuredLargestMs: the same network measured on the
   * device at the study's start (the unit of a measured target; absent in studies from before it, and with predicted latency).
   */
  table: { uri: string; largestMs: number; targetMs: number; measuredLargestMs?: number };
  /** Which table the study used on which device, and the check of a table from another device (device.json, written by the prepare step). */
  deviceTable?: DeviceTableRecord;
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
