/**
 * The evidence benches' records: append-only JSONL files under bench/evidence/results, one line per
 * finished unit of work (a search stage, a retraining, a latency measurement), so a run interrupted
 * anywhere resumes by skipping what is recorded. The trial records are the reusable asset: a trial is
 * the join of its search record (knobs -> architecture) with the training records of that
 * architecture (per budget, fidelity and seed) and its latency record.
 */
import * as path from 'node:path';
import type { Params } from '../../src/hpo/space';
import { readJsonl } from '../nas/common';
import { RESULTS, type TrialBudget } from './problem';

export const FILES = {
  /** Searches and trial-budget retrainings of the knob configurations. */
  trials: path.join(RESULTS, 'trials.jsonl'),
  /** Retrainings of chosen networks at other seeds and at the final budget (fidelity bench). */
  scores: path.join(RESULTS, 'scores.jsonl'),
  /** Retrainings of the validation studies' trials (their searches are in trials.jsonl, configId study:<name>:<trial>). */
  studies: path.join(RESULTS, 'study-trials.jsonl'),
  /** The profiled table's fingerprint and every network's measured batch-1 latency. */
  latency: path.join(RESULTS, 'latency.jsonl'),
} as const;

export interface Fingerprint {
  backend: string;
  binding?: string;
  libtensorflow?: string;
  tfjs: string;
  node: string;
  cpuModel: string;
  cpus: number;
  /** TF_NUM_INTRAOP_THREADS, or libtensorflow's default (one per CPU). */
  threads: number | 'default';
  host: string;
}

export interface TableRecord {
  type: 'table';
  file: string;
  /** 'used': the table of every search (results/table.json); 'candidate' / 'rejected': profiled here, not used. */
  role: 'used' | 'candidate' | 'rejected';
  source?: string;
  reason?: string;
  /** The table's own metadata (where and how it was profiled). */
  meta?: unknown;
  device: string;
  fingerprint: Fingerprint;
  /** Prediction error of the table against whole networks measured by the profiler. */
  report?: unknown;
  seconds: number;
  loadavg: number;
  date: string;
}

export interface LatencyRecord {
  type: 'latency';
  architecture: string;
  predictedMs: number;
  /** Batch-1 latency as the evaluate use case measures it (mean of `repeats` after 5 warm-up calls). */
  measuredMs: number;
  medianMs: number;
  repeats: number;
  threads: number;
  loadavg: number;
  date: string;
}

export interface SearchRecord {
  type: 'search';
  /** Set on a validation study's trial: its compute is the study's wall seconds, not measured here. */
  study?: string;
  /** Stable id of the knob configuration (its position in the design, or `study:<name>:<trial>`). */
  configId: string;
  source: string;
  knobs: Params;
  /** Multi-fidelity budget level (1, 3, 9 of maxBudget 9) and fidelity = level / 9. */
  level: number;
  fidelity: number;
  warmupEpochs: number;
  /** Search epochs reached, warm-up included. */
  epochs: number;
  targetMs: number;
  architecture: string;
  predictedMs: number;
  /** The supernet's top-1 on the selection split at the end of the stage (full-fidelity stages; the first records have it at every stage). */
  supernetTop1?: number;
  searchImages: number;
  /** Compute seconds of this stage (the search use case's own count: a continued stage counts only its steps). */
  seconds: number;
  wallSeconds: number;
  /** CPU seconds of the whole call (data loading, the steps, the supernet's evaluation) and of its steps alone. */
  cpuSeconds: number;
  stepCpuSeconds: number;
  resumedFromStep: number;
  steps: number;
  loadavg: number;
  date: string;
}

export interface TrainRecord {
  type: 'train';
  /** Set on a validation study's trial (study-trials.jsonl): its compute is the study's, not measured here. */
  study?: string;
  architecture: string;
  /** A trial budget ('a', 'b', 'c') or 'final'. */
  budget: TrialBudget | 'final';
  /** Multi-fidelity: level / maxBudget of the trial budget's epochs (1 at full budget and for 'final'). */
  fidelity: number;
  epochs: number;
  trainImages: number;
  seed: number;
  /** 'selection' for trial budgets, 'test' for the final budget. */
  split: 'selection' | 'test';
  top1: number;
  correct: number;
  count: number;
  /** Wilson 95% interval of top1. */
  low: number;
  high: number;
  seconds: number;
  wallSeconds: number;
  /** CPU seconds of the whole call (loading, training, scoring, export) and of its training steps alone. */
  cpuSeconds: number;
  stepCpuSeconds: number;
  /** Step this retraining resumed from (an interrupted run continues from its checkpoint; its compute figures count only this process). */
  resumedFromStep: number;
  loadavg: number;
  threads: number | 'default';
  date: string;
}

export interface WarmupRecord {
  type: 'warmup';
  epochs: number;
  epochSteps: number[];
  seconds: number;
  cpuSeconds: number;
  stepCpuSeconds: number;
  date: string;
}

export type EvidenceRecord = TableRecord | LatencyRecord | SearchRecord | TrainRecord | WarmupRecord;

export function readAll(): EvidenceRecord[] {
  return Object.values(FILES).flatMap((f) => readJsonl<EvidenceRecord>(f));
}

export function searches(recs = readAll()): SearchRecord[] {
  return recs.filter((r): r is SearchRecord => r.type === 'search');
}

export function trains(recs = readAll()): TrainRecord[] {
  return recs.filter((r): r is TrainRecord => r.type === 'train');
}

/** Per architecture, its latency measured at the lowest load average (the machine is shared: other work only adds time). */
export function latencies(recs = readAll()): Map<string, LatencyRecord> {
  const out = new Map<string, LatencyRecord>();
  for (const r of recs) {
    if (r.type !== 'latency') continue;
    const had = out.get(r.architecture);
    if (!had || r.loadavg < had.loadavg) out.set(r.architecture, r);
  }
  return out;
}

/** The benches' own retraining of this network, budget, fidelity and seed, if recorded (a validation study's does not count). */
export function findTrain(recs: TrainRecord[], k: { architecture: string; budget: string; fidelity: number; seed: number }): TrainRecord | undefined {
  return recs.find(
    (r) => !r.study && r.architecture === k.architecture && r.budget === k.budget && Math.abs(r.fidelity - k.fidelity) < 1e-9 && r.seed === k.seed,
  );
}
