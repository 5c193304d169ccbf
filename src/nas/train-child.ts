/**
 * Retraining a derived child from scratch (or from given weights): same loop, optimizer, schedule and
 * regularisation as the search, without indicators or runtime term. Deterministic and resumable.
 */
import type * as TF from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/training-config';
import { InvalidInputError } from '../errors';
import type { Architecture } from '../space/architecture';
import { architectureToString } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import type { CheckpointStore } from '../storage/checkpoint-store';
import type { BatchSource } from './batch-source';
import { buildChild } from './child-builder';
import { ChildNet } from './child-net';
import { createOptimizer, type Optimizer } from './optimizer';
import { createChildStep } from './train-step';
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
  /** Called after each checkpoint is saved (heartbeats). */
  onCheckpoint?: (c: { step: number; uri: string }) => void | Promise<void>;
  /** Called after every complete epoch with the model being trained (its weights are the current ones). */
  onEpochEnd?: (epochsDone: number, model: TF.LayersModel) => Promise<void> | void;
  signal?: AbortSignal;
  /** Awaited between steps (training-loop.ts LoopSpec.settle). */
  settle?: () => Promise<void>;
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

/** A child's model, its named variables, optimizer and step function: what a retrain and the step benches share. */
export interface ChildTrainer {
  model: TF.LayersModel;
  named: Array<[string, TF.Variable]>;
  opt: Optimizer;
  step: ReturnType<typeof createChildStep>;
}

/** Builds `architecture` with fresh weights (seeded by `config.seed`) and the step that trains it. */
export function createChildTrainer(tf: typeof TF, space: SearchSpace, architecture: Architecture, config: TrainConfig): ChildTrainer {
  const model = buildChild(tf, space, architecture, { seed: config.seed });
  const named = namedModelVariables(model);
  const trainableNames = new Set(model.trainableWeights.map((w) => (w.read() as TF.Variable).name));
  const trainable = named.filter(([, v]) => trainableNames.has(v.name));
  const net = new ChildNet(
    tf,
    space,
    architecture,
    named.map(([name, variable]) => ({ name, variable, trainable: trainableNames.has(variable.name) })),
  );
  const opt = createOptimizer(
    tf,
    trainable.map(([name, variable]) => ({ name, variable, lrMultiplier: 1 })),
    config.optimizer,
  );
  return { model, named, opt, step: createChildStep({ tf, space, config, net, opt, trainable }) };
}

export async function trainChild(o: TrainChildOptions): Promise<TrainChildResult> {
  const { tf, space, config: cfg } = o;
  const { model, named, opt, step } = createChildTrainer(tf, space, o.architecture, cfg);
  const stateVars = (): Array<[string, TF.Variable]> => [
    ...named.map(([n, v]) => [`net/${n}`, v] as [string, TF.Variable]),
    ...opt.state().map(([n, v]) => [`opt/${n}`, v] as [string, TF.Variable]),
  ];
  const archString = architectureToString(o.architecture);
  const totalSteps = Math.max(1, Math.round(cfg.epochs * o.train.batchesPerEpoch));

  let startStep = 0;
  const last = await o.checkpoints?.latest();
  if (last) {
    const st = last.state as { architecture?: string; seed?: number };
    if (st.architecture !== archString || st.seed !== cfg.seed) {
      throw new InvalidInputError(
        `checkpoint ${last.uri} belongs to another training run (architecture ${st.architecture}, seed ${st.seed}); use a fresh output directory`,
      );
    }
    restoreVariables(tf, stateVars(), last.tensors, last.uri);
    startStep = last.step;
  }

  const lastStats = await runTrainingLoop({
    source: o.train,
    totalSteps,
    startStep,
    checkpointEvery: cfg.checkpointEvery,
    step,
    signal: o.signal,
    settle: o.settle,
    onProgress: o.onProgress,
    onEpochEnd: o.onEpochEnd && ((e) => o.onEpochEnd!(e, model)),
    saveCheckpoint: async (next) => {
      if (!o.checkpoints) return;
      const saved = await o.checkpoints.save(next, {
        tensors: variablesToTensors(stateVars()),
        state: { architecture: archString, seed: cfg.seed, step: next },
      });
      await o.onCheckpoint?.(saved);
    },
  });
  opt.dispose();
  return { model, steps: totalSteps, resumedFromStep: startStep, finalLoss: lastStats?.loss ?? NaN };
}
