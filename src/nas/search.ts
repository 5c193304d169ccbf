/**
 * Single-Path NAS search: joint training of supernet weights and indicator thresholds with
 * CE (label smoothing) + weight decay + runtime term, lambda = 0 and indicator dropout during the
 * warm-up epochs. Deterministic given the seed; checkpoints are resumable with identical results
 * (all randomness is derived from (seed, step) and data order from (seed, epoch, batch)).
 */
import type * as TF from '@tensorflow/tfjs';
import type { SearchConfig } from '../config/training-config';
import { architectureToString, type Architecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import type { Checkpoint, CheckpointStore } from '../storage/checkpoint-store';
import type { BatchSource } from './batch-source';
import { currentIndicators, decodeIndicators, deriveArchitecture, type IndicatorValues } from './derive';
import { InvalidInputError } from '../errors';
import { runtimeTensor, type RuntimeTable } from './runtime-tf';
import { Supernet } from './supernet';
import { createSearchStep, searchOptimizer, type StepBatch } from './train-step';
import { runTrainingLoop, type LoopProgress } from './training-loop';
import { restoreVariables, variablesToTensors } from './variable-checkpoint';

export interface SearchProgress extends LoopProgress {
  /** Current decoded architecture, compact form. */
  architecture: string;
}

export interface SearchOptions {
  tf: typeof TF;
  space: SearchSpace;
  config: SearchConfig;
  table: RuntimeTable;
  train: BatchSource;
  checkpoints?: CheckpointStore;
  onProgress?: (p: SearchProgress) => void;
  /** Called after each checkpoint is saved (heartbeats, traces written beside checkpoints). */
  onCheckpoint?: (c: { step: number; uri: string }) => void | Promise<void>;
  /** Called after every step with the indicators' group norms and thresholds (plots of the search dynamics). */
  onTrace?: (t: SearchTraceRecord) => void;
  signal?: AbortSignal;
  /** Awaited between steps (training-loop.ts LoopSpec.settle). */
  settle?: () => Promise<void>;
  /**
   * A checkpoint of the lambda-free warm-up of the same space, seed and warm-up settings (a study's
   * shared warm-up) to start from when this run has no checkpoint of its own. Its step must lie
   * within this run's warm-up.
   */
  warmStart?: Checkpoint;
  /** Stop (with a checkpoint) after this many steps instead of at the end: runs only the warm-up. */
  stopAtStep?: number;
}

/** One step of a search trace: what every indicator compared (norm vs threshold) and the outcome. */
export interface SearchTraceRecord {
  step: number;
  epoch: number;
  loss: number;
  ce: number;
  runtimeMs: number;
  lambda: number;
  lr: number;
  indicators: IndicatorValues[];
  norms: IndicatorValues[];
  /** Per layer; keys absent where the layer has no such threshold (skip not allowed, no SE). */
  thresholds: Array<Partial<IndicatorValues>>;
}

export interface SearchResult {
  architecture: Architecture;
  /** Runtime predicted by the table for the derived architecture (the formula's value at the final indicators). */
  predictedMs: number;
  steps: number;
  resumedFromStep: number;
  finalLoss: number;
  /** The supernet, for callers that evaluate or warm-start from it; dispose when done. */
  supernet: Supernet;
}

const STATE_VERSION = 1;

export async function runSearch(o: SearchOptions): Promise<SearchResult> {
  const { tf, space, config: cfg, table } = o;
  const net = new Supernet(tf, space, cfg.seed, cfg.indicatorNorm);
  const opt = searchOptimizer(tf, net, cfg);
  const stateVars = (): Array<[string, TF.Variable]> => [
    ...net.params.all().map(([n, v]) => [`net/${n}`, v] as [string, TF.Variable]),
    ...opt.state().map(([n, v]) => [`opt/${n}`, v] as [string, TF.Variable]),
  ];
  const bpe = o.train.batchesPerEpoch;
  const totalSteps = Math.max(1, Math.round(cfg.epochs * bpe));
  const warmupSteps = Math.round(cfg.warmupEpochs * bpe);

  let startStep = 0;
  const last = (await o.checkpoints?.latest()) ?? o.warmStart;
  if (last) {
    const st = last.state as { version?: number; space?: string; seed?: number };
    if (st.version !== STATE_VERSION || st.space !== space.name || st.seed !== cfg.seed) {
      throw new InvalidInputError(`checkpoint ${last.uri} belongs to another search (space ${st.space}, seed ${st.seed}); use a fresh output directory`);
    }
    if (last === o.warmStart && last.step > warmupSteps) {
      throw new InvalidInputError(`warm-start checkpoint ${last.uri} is at step ${last.step}, beyond this search's warm-up (${warmupSteps} steps)`);
    }
    restoreVariables(tf, stateVars(), last.tensors, last.uri);
    startStep = last.step;
  }
  const endStep = o.stopAtStep === undefined ? totalSteps : Math.min(totalSteps, o.stopAtStep);

  let lastIndicators: IndicatorValues[] = [];
  const searchStep = createSearchStep({ tf, space, config: cfg, table, net, opt, warmupSteps, trace: o.onTrace !== undefined });
  const stepFn = (batch: StepBatch, step: number, epoch: number) => {
    const { indicators, trace, ...stats } = searchStep(batch, step, epoch);
    lastIndicators = indicators;
    if (trace) o.onTrace!({ step, epoch, ...stats, indicators, ...trace });
    return stats;
  };

  const saveCheckpoint = async (nextStep: number) => {
    if (!o.checkpoints) return;
    const saved = await o.checkpoints.save(nextStep, {
      tensors: variablesToTensors(stateVars()),
      state: { version: STATE_VERSION, space: space.name, seed: cfg.seed, step: nextStep },
    });
    await o.onCheckpoint?.(saved);
  };

  const lastStats = await runTrainingLoop({
    source: o.train,
    totalSteps: endStep,
    startStep,
    checkpointEvery: cfg.checkpointEvery,
    step: stepFn,
    saveCheckpoint,
    signal: o.signal,
    settle: o.settle,
    onProgress: o.onProgress
      ? (p) =>
          o.onProgress!({
            ...p,
            architecture: lastIndicators.map((d) => architectureToString({ space: space.name, layers: [decodeIndicators(d, space.search.se)] })).join(','),
          })
      : undefined,
  });
  opt.dispose();
  const architecture = deriveArchitecture(tf, net);
  return {
    architecture,
    predictedMs: predictedRuntime(tf, net, table),
    steps: endStep,
    resumedFromStep: startStep,
    finalLoss: lastStats?.loss ?? NaN,
    supernet: net,
  };
}

/** The table's runtime at the supernet's current (undropped) indicators. */
export function predictedRuntime(tf: typeof TF, net: Supernet, table: RuntimeTable): number {
  const values = currentIndicators(tf, net);
  return tf.tidy(() => {
    const inds = values.map((v) => ({ d5x5: tf.scalar(v.d5x5), d50c: tf.scalar(v.d50c), d100c: tf.scalar(v.d100c), dse: tf.scalar(v.dse) }));
    return runtimeTensor(tf, table, inds).dataSync()[0]!;
  });
}
