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
import type { CheckpointStore } from '../storage/checkpoint-store';
import type { BatchSource } from './batch-source';
import { currentIndicators, decodeIndicators, deriveArchitecture, type IndicatorValues } from './derive';
import { InvalidInputError, NumericalError } from '../errors';
import { applyBatchStats, type BatchStat } from './functional-ops';
import { findNonFinite } from './numerics';
import { mulberry32, stepSeed } from './prng';
import { Rmsprop } from './rmsprop';
import { runtimeLossTerm } from './runtime-loss';
import { runtimeTensor, type RuntimeTable } from './runtime-tf';
import { learningRate } from './schedule';
import type { IndicatorDropout } from './superkernel';
import { Supernet } from './supernet';
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
  signal?: AbortSignal;
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
  const trainable = [...net.params.trainable];
  const thresholdNames = new Set(net.thresholds.flatMap((t, i) => Object.keys(t).map((k) => `l${i + 1}/${k}`)));
  const opt = new Rmsprop(
    tf,
    trainable.map(([name, variable]) => ({ name, variable, lrMultiplier: thresholdNames.has(name) ? cfg.thresholdLrMultiplier : 1 })),
    cfg.optimizer,
  );
  const stateVars = (): Array<[string, TF.Variable]> => [...net.params.all().map(([n, v]) => [`net/${n}`, v] as [string, TF.Variable]), ...opt.state().map(([n, v]) => [`opt/${n}`, v] as [string, TF.Variable])];
  const bpe = o.train.batchesPerEpoch;
  const totalSteps = Math.max(1, Math.round(cfg.epochs * bpe));
  const warmupSteps = Math.round(cfg.warmupEpochs * bpe);
  const decayed = net.decayedVariables();
  const varList = trainable.map(([, v]) => v);
  const nLayers = net.layout.searchable.length;

  let startStep = 0;
  const last = await o.checkpoints?.latest();
  if (last) {
    const st = last.state as { version?: number; space?: string; seed?: number };
    if (st.version !== STATE_VERSION || st.space !== space.name || st.seed !== cfg.seed) {
      throw new InvalidInputError(`checkpoint ${last.uri} belongs to another search (space ${st.space}, seed ${st.seed}); use a fresh output directory`);
    }
    restoreVariables(tf, stateVars(), last.tensors, last.uri);
    startStep = last.step;
  }

  const dropoutFor = (step: number): IndicatorDropout[] | undefined => {
    if (step >= warmupSteps || cfg.indicatorDropout === 0) return undefined;
    const rnd = mulberry32(stepSeed(cfg.seed, step, 1));
    const keep = 1 - cfg.indicatorDropout;
    const one = () => (rnd() < keep ? 1 / keep : 0);
    return Array.from({ length: nLayers }, () => ({ d5x5: one(), d50c: one(), d100c: one(), dse: one() }));
  };

  let lastIndicators: IndicatorValues[] = [];
  const stepFn = (batch: { images: Float32Array; labels: Int32Array; size: number }, step: number, epoch: number) => {
    const lambda = step < warmupSteps ? 0 : cfg.runtimeLoss.lambda;
    const lr = learningRate({ lrPer256: cfg.optimizer.lrPer256, decayRate: cfg.optimizer.lrDecayRate, decayEpochs: cfg.optimizer.lrDecayEpochs, warmupEpochs: cfg.optimizer.lrWarmupEpochs }, cfg.batchSize, epoch);
    let stats: BatchStat[] = [];
    let monitor: TF.Tensor | undefined;
    const grads = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, space.inputSize, space.inputSize, space.inputChannels]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), space.numClasses);
      const { value, grads } = tf.variableGrads(() => {
        const fwd = net.forward(x, { training: true, indicatorDropout: dropoutFor(step), dropoutSeed: stepSeed(cfg.seed, step, 2) });
        stats = fwd.batchStats;
        const ce = tf.losses.softmaxCrossEntropy(y, fwd.logits, undefined, cfg.labelSmoothing) as TF.Scalar;
        const r = runtimeTensor(tf, table, fwd.indicators);
        const wd = tf.mul(0.5 * cfg.weightDecay, tf.addN(decayed.map((v) => tf.sum(tf.square(v)))));
        const total = tf.addN([ce, wd, lambda > 0 ? runtimeLossTerm(tf, r, cfg.runtimeLoss, lambda) : tf.scalar(0)]) as TF.Scalar;
        const inds = fwd.indicators.flatMap((d) => [d.d5x5, d.d50c, d.d100c, d.dse]);
        monitor = tf.keep(tf.stack([total, ce, r, ...inds]));
        return total;
      }, varList);
      void value;
      return grads;
    });
    const m = monitor!.dataSync();
    monitor!.dispose();
    const loss = m[0]!;
    if (!Number.isFinite(loss)) {
      const where = findNonFinite(tf, grads, trainable);
      tf.dispose(Object.values(grads));
      applyBatchStats(tf, net.params, stats, 1); // momentum 1: dispose without changing the moving statistics
      throw new NumericalError(`loss is ${loss} at step ${step} (epoch ${epoch.toFixed(2)})${where ? `; first non-finite gradient in '${where}'` : ''}. Lower the learning rate (optimizer.lrPer256) or lambda; the last checkpoint is intact`);
    }
    opt.apply(grads, lr);
    tf.dispose(Object.values(grads));
    applyBatchStats(tf, net.params, stats, space.bn.momentum);
    lastIndicators = Array.from({ length: nLayers }, (_, i) => ({ d5x5: m[3 + 4 * i]!, d50c: m[4 + 4 * i]!, d100c: m[5 + 4 * i]!, dse: m[6 + 4 * i]! }));
    return { loss, ce: m[1]!, runtimeMs: m[2]!, lambda, lr };
  };

  const saveCheckpoint = async (nextStep: number) => {
    if (!o.checkpoints) return;
    await o.checkpoints.save(nextStep, { tensors: variablesToTensors(stateVars()), state: { version: STATE_VERSION, space: space.name, seed: cfg.seed, step: nextStep } });
  };

  const lastStats = await runTrainingLoop({
    source: o.train,
    totalSteps,
    startStep,
    checkpointEvery: cfg.checkpointEvery,
    step: stepFn,
    saveCheckpoint,
    signal: o.signal,
    onProgress: o.onProgress
      ? (p) => o.onProgress!({ ...p, architecture: lastIndicators.map((d) => architectureToString({ space: space.name, layers: [decodeIndicators(d, space.search.se)] })).join(',') })
      : undefined,
  });
  opt.dispose();
  const architecture = deriveArchitecture(tf, net);
  return { architecture, predictedMs: predictedRuntime(tf, net, table), steps: totalSteps, resumedFromStep: startStep, finalLoss: lastStats?.loss ?? NaN, supernet: net };
}

/** The table's runtime at the supernet's current (undropped) indicators. */
export function predictedRuntime(tf: typeof TF, net: Supernet, table: RuntimeTable): number {
  const values = currentIndicators(tf, net);
  return tf.tidy(() => {
    const inds = values.map((v) => ({ d5x5: tf.scalar(v.d5x5), d50c: tf.scalar(v.d50c), d100c: tf.scalar(v.d100c), dse: tf.scalar(v.dse) }));
    return runtimeTensor(tf, table, inds).dataSync()[0]!;
  });
}
