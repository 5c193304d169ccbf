/**
 * Retraining a derived child from scratch (or from given weights): same loop, optimizer, schedule and
 * regularisation as the search, without indicators or runtime term. Deterministic and resumable.
 */
import type * as TF from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/training-config';
import { InvalidInputError, NumericalError } from '../errors';
import type { Architecture } from '../space/architecture';
import { architectureToString } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import type { CheckpointStore } from '../storage/checkpoint-store';
import type { BatchSource } from './batch-source';
import { buildChild } from './child-builder';
import { ChildNet } from './child-net';
import { applyBatchStats, type BatchStat } from './functional-ops';
import { findNonFinite } from './numerics';
import { stepSeed } from './prng';
import { Rmsprop } from './rmsprop';
import { learningRate } from './schedule';
import { runTrainingLoop, type LoopProgress } from './training-loop';
import { restoreVariables, variablesToTensors } from './variable-checkpoint';

export interface TrainChildOptions {
  tf: typeof TF;
  space: SearchSpace;
  architecture: Architecture;
  config: TrainConfig;
  train: BatchSource;
  checkpoints?: CheckpointStore;
  onProgress?: (p: LoopProgress) => void;
  signal?: AbortSignal;
}

export interface TrainChildResult {
  model: TF.LayersModel;
  steps: number;
  resumedFromStep: number;
  finalLoss: number;
}

/** Model variables by tf.layers weight name ("<layer>/<weight>"). */
export function namedModelVariables(model: TF.LayersModel): Array<[string, TF.Variable]> {
  return model.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.originalName.split('/').pop()}`, w.read() as TF.Variable] as [string, TF.Variable]));
}

export async function trainChild(o: TrainChildOptions): Promise<TrainChildResult> {
  const { tf, space, config: cfg } = o;
  const model = buildChild(tf, space, o.architecture, { seed: cfg.seed });
  const named = namedModelVariables(model);
  const trainableNames = new Set(model.trainableWeights.map((w) => (w.read() as TF.Variable).name));
  const trainable = named.filter(([, v]) => trainableNames.has(v.name));
  const net = new ChildNet(tf, space, o.architecture, named.map(([name, variable]) => ({ name, variable, trainable: trainableNames.has(variable.name) })));
  const opt = new Rmsprop(tf, trainable.map(([name, variable]) => ({ name, variable, lrMultiplier: 1 })), cfg.optimizer);
  const stateVars = (): Array<[string, TF.Variable]> => [...named.map(([n, v]) => [`net/${n}`, v] as [string, TF.Variable]), ...opt.state().map(([n, v]) => [`opt/${n}`, v] as [string, TF.Variable])];
  const decayed = trainable.filter(([n]) => !/_bn\//.test(n)).map(([, v]) => v);
  const varList = trainable.map(([, v]) => v);
  const archString = architectureToString(o.architecture);
  const totalSteps = Math.max(1, Math.round(cfg.epochs * o.train.batchesPerEpoch));

  let startStep = 0;
  const last = await o.checkpoints?.latest();
  if (last) {
    const st = last.state as { architecture?: string; seed?: number };
    if (st.architecture !== archString || st.seed !== cfg.seed) {
      throw new InvalidInputError(`checkpoint ${last.uri} belongs to another training run (architecture ${st.architecture}, seed ${st.seed}); use a fresh output directory`);
    }
    restoreVariables(tf, stateVars(), last.tensors, last.uri);
    startStep = last.step;
  }

  const step = (batch: { images: Float32Array; labels: Int32Array; size: number }, s: number, epoch: number) => {
    const lr = learningRate({ lrPer256: cfg.optimizer.lrPer256, decayRate: cfg.optimizer.lrDecayRate, decayEpochs: cfg.optimizer.lrDecayEpochs, warmupEpochs: cfg.optimizer.lrWarmupEpochs }, cfg.batchSize, epoch);
    let ceT: TF.Tensor | undefined;
    let stats: BatchStat[] = [];
    const { value, grads } = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, space.inputSize, space.inputSize, space.inputChannels]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), space.numClasses);
      return tf.variableGrads(() => {
        const fwd = net.forward(x, { training: true, dropoutSeed: stepSeed(cfg.seed, s, 2) });
        stats = fwd.batchStats;
        const ce = tf.losses.softmaxCrossEntropy(y, fwd.logits, undefined, cfg.labelSmoothing) as TF.Scalar;
        ceT = tf.keep(ce);
        return tf.add(ce, tf.mul(0.5 * cfg.weightDecay, tf.addN(decayed.map((v) => tf.sum(tf.square(v)))))) as TF.Scalar;
      }, varList);
    });
    const loss = value.dataSync()[0]!;
    const ce = ceT!.dataSync()[0]!;
    value.dispose();
    ceT!.dispose();
    if (!Number.isFinite(loss)) {
      const where = findNonFinite(tf, grads, trainable);
      tf.dispose(Object.values(grads));
      applyBatchStats(tf, net.params, stats, 1);
      throw new NumericalError(`loss is ${loss} at step ${s} (epoch ${epoch.toFixed(2)})${where ? `; first non-finite gradient in '${where}'` : ''}. Lower the learning rate (optimizer.lrPer256); the last checkpoint is intact`);
    }
    opt.apply(grads, lr);
    tf.dispose(Object.values(grads));
    applyBatchStats(tf, net.params, stats, space.bn.momentum);
    return { loss, ce, lr };
  };

  const lastStats = await runTrainingLoop({
    source: o.train,
    totalSteps,
    startStep,
    checkpointEvery: cfg.checkpointEvery,
    step,
    signal: o.signal,
    onProgress: o.onProgress,
    saveCheckpoint: async (next) => {
      if (o.checkpoints) await o.checkpoints.save(next, { tensors: variablesToTensors(stateVars()), state: { architecture: archString, seed: cfg.seed, step: next } });
    },
  });
  opt.dispose();
  return { model, steps: totalSteps, resumedFromStep: startStep, finalLoss: lastStats?.loss ?? NaN };
}
