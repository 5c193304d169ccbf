/**
 * One training step of the search (supernet) and of a child's retraining, as functions of their
 * network and optimizer. runSearch / trainChild run exactly these; bench/engine/train-step.ts times
 * them, so the bench measures what the product runs.
 *
 * Search step: forward (training, indicator dropout in warm-up), CE with label smoothing + weight
 * decay (0.5 * wd * sum ||v||^2 over non-BN variables, thresholds included) + runtime term (after
 * warm-up), gradients of every trainable variable, RMSProp update, BN moving-statistics update.
 * Child step: the same without indicators and runtime term.
 */
import type * as TF from '@tensorflow/tfjs';
import type { SearchConfig, TrainConfig } from '../config/training-config';
import type { SearchSpace } from '../space/spec';
import type { Batch } from './batch-source';
import type { ChildNet } from './child-net';
import type { IndicatorValues } from './derive';
import { l2Penalty } from '../backend/native-ops';
import { NumericalError } from '../errors';
import { applyBatchStats, bnMomentumAt, type BatchStat } from './functional-ops';
import { findNonFinite } from './numerics';
import { mulberry32, stepSeed } from '../random';
import type { Optimizer } from './optimizer';
import { runtimeLossTerm, runtimeLossTermFlip } from './runtime-loss';
import { SearchOptimizer } from './search-optimizer';
import { runtimeTensorFromVectors, type RuntimeTable } from './runtime-tf';
import { learningRate, scheduleOf } from './schedule';
import type { IndicatorDropout } from './superkernel';
import type { Supernet } from './supernet';
import { thresholdName } from './weight-names';

export type StepBatch = Pick<Batch, 'images' | 'labels' | 'size'>;

export interface SearchStepStats {
  loss: number;
  ce: number;
  runtimeMs: number;
  lambda: number;
  lr: number;
  /** Undropped indicator values of every searchable layer after the forward pass. */
  indicators: IndicatorValues[];
  /** With `trace`: per layer, the (relative) group norms and thresholds the indicators compared (before the update). */
  trace?: { norms: IndicatorValues[]; thresholds: Array<Partial<IndicatorValues>> };
}

export interface SearchStepSetup {
  tf: typeof TF;
  space: SearchSpace;
  config: SearchConfig;
  table: RuntimeTable;
  net: Supernet;
  opt: SearchOptimizer;
  /** Steps with lambda = 0 and indicator dropout (and frozen thresholds with warmupThresholds 'frozen'). */
  warmupSteps: number;
  /** Also return the group norms and thresholds of every step (for plots of the search dynamics). */
  trace?: boolean;
}

/** The search's optimizer: every trainable supernet variable, thresholds by `config.thresholdUpdate`. */
export function searchOptimizer(tf: typeof TF, net: Supernet, cfg: SearchConfig): SearchOptimizer {
  return new SearchOptimizer(tf, net, cfg);
}

/** Indicator-dropout multipliers of a warm-up step, derived from (seed, step) only. */
export function indicatorDropoutFor(cfg: SearchConfig, nLayers: number, warmupSteps: number, step: number): IndicatorDropout[] | undefined {
  if (step >= warmupSteps || cfg.indicatorDropout === 0) return undefined;
  const rnd = mulberry32(stepSeed(cfg.seed, step, 1));
  const keep = 1 - cfg.indicatorDropout;
  const one = () => (rnd() < keep ? 1 / keep : 0);
  return Array.from({ length: nLayers }, () => ({ d5x5: one(), d50c: one(), d100c: one(), dse: one() }));
}

/** Returns the search step (batch, step, fractional epoch) -> stats; throws NumericalError on a non-finite loss. */
export function createSearchStep(s: SearchStepSetup): (batch: StepBatch, step: number, epoch: number) => SearchStepStats {
  const { tf, space, config: cfg, table, net, opt } = s;
  const trainable = [...net.params.trainable];
  const decayed = net.decayedVariables();
  const varList = trainable.map(([, v]) => v);
  const nLayers = net.layout.searchable.length;
  const schedule = scheduleOf(cfg.optimizer, cfg.epochs);
  return (batch, step, epoch) => {
    const lambda = step < s.warmupSteps ? 0 : cfg.runtimeLoss.lambda;
    const lr = learningRate(schedule, cfg.batchSize, epoch);
    let stats: BatchStat[] = [];
    let monitor: TF.Tensor | undefined;
    const grads = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, space.inputSize, space.inputSize, space.inputChannels]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), space.numClasses);
      const { value, grads } = tf.variableGrads(() => {
        const fwd = net.forward(x, {
          training: true,
          indicatorDropout: indicatorDropoutFor(cfg, nLayers, s.warmupSteps, step),
          dropoutSeed: stepSeed(cfg.seed, step, 2),
          runtimeThresholdOnly: lambda > 0 && cfg.runtimeGradientTo === 'thresholds',
        });
        stats = fwd.batchStats;
        const ce = tf.losses.softmaxCrossEntropy(y, fwd.logits, undefined, cfg.labelSmoothing) as TF.Scalar;
        const r = runtimeTensorFromVectors(tf, table, fwd.runtimeIndicators);
        const wd = l2Penalty(tf)(decayed, cfg.weightDecay);
        const term =
          lambda === 0
            ? tf.scalar(0)
            : cfg.runtimeGradient !== 'derivative'
              ? runtimeLossTermFlip(
                  tf,
                  table,
                  fwd.runtimeIndicators,
                  cfg.runtimeLoss,
                  lambda,
                  cfg.runtimeGradient === 'flip-to-target' ? 'to-target' : 'any',
                  cfg.belowTargetWeight,
                )
              : runtimeLossTerm(tf, r, cfg.runtimeLoss, lambda);
        const total = tf.addN([ce, wd, term]) as TF.Scalar;
        const v = fwd.indicatorVectors;
        const perLayer = (u: typeof v) => tf.reshape(tf.stack([u.d5x5, u.d50c, u.d100c, u.dse], 1), [-1]);
        // [total, ce, R, then per layer d5x5, d50c, d100c, dse; with trace the norms and thresholds likewise]
        const parts = [tf.stack([total, ce, r]), perLayer(v)];
        const zero = tf.scalar(0);
        if (s.trace || cfg.maxFlipsPerStep > 0) parts.push(perLayer(fwd.indicatorNorms));
        if (s.trace) parts.push(tf.stack(net.thresholds.flatMap((t) => [t.t5x5, t.t50c ?? zero, t.t100c, t.tse ?? zero])));
        monitor = tf.keep(tf.concat(parts));
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
      throw new NumericalError(
        `loss is ${loss} at step ${step} (epoch ${epoch.toFixed(2)})${where ? `; first non-finite gradient in '${where}'` : ''}. Lower the learning rate (optimizer.lrPer256) or lambda; the last checkpoint is intact`,
      );
    }
    const at = (o: number) =>
      Array.from({ length: nLayers }, (_, i) => ({ d5x5: m[o + 4 * i]!, d50c: m[o + 1 + 4 * i]!, d100c: m[o + 2 + 4 * i]!, dse: m[o + 3 + 4 * i]! }));
    const flipLimit = cfg.maxFlipsPerStep > 0 ? { norms: normsByThreshold(at(3 + 4 * nLayers)), maxFlips: cfg.maxFlipsPerStep } : undefined;
    opt.apply(grads, lr, { frozenThresholds: step < s.warmupSteps && cfg.warmupThresholds === 'frozen', flipLimit });
    tf.dispose(Object.values(grads));
    applyBatchStats(tf, net.params, stats, bnMomentumAt(space.bn.momentum, step));
    const indicators = at(3);
    const trace = s.trace
      ? {
          norms: at(3 + 4 * nLayers),
          thresholds: at(3 + 8 * nLayers).map((t, i) => {
            const has = net.thresholds[i]!;
            return { d5x5: t.d5x5, d100c: t.d100c, ...(has.t50c ? { d50c: t.d50c } : {}), ...(has.tse ? { dse: t.dse } : {}) };
          }),
        }
      : undefined;
    return { loss, ce: m[1]!, runtimeMs: m[2]!, lambda, lr, indicators, ...(trace ? { trace } : {}) };
  };
}

/** Group norms keyed by the threshold that compares them (`l1/t5x5` <- layer 1's d5x5), for the flip limit. */
function normsByThreshold(norms: IndicatorValues[]): Map<string, number> {
  const m = new Map<string, number>();
  norms.forEach((n, i) => {
    m.set(thresholdName(i, 't5x5'), n.d5x5);
    m.set(thresholdName(i, 't50c'), n.d50c);
    m.set(thresholdName(i, 't100c'), n.d100c);
    m.set(thresholdName(i, 'tse'), n.dse);
  });
  return m;
}

export interface ChildStepSetup {
  tf: typeof TF;
  space: SearchSpace;
  config: TrainConfig;
  net: ChildNet;
  opt: Optimizer;
  /** Trainable variables by logical name (gradients, weight decay of the non-BN ones, error messages). */
  trainable: Array<[string, TF.Variable]>;
}

/** Returns a child's retraining step (batch, step, fractional epoch) -> { loss, ce, lr }. */
export function createChildStep(s: ChildStepSetup): (batch: StepBatch, step: number, epoch: number) => { loss: number; ce: number; lr: number } {
  const { tf, space, config: cfg, net, opt, trainable } = s;
  const decayed = trainable.filter(([n]) => !/_bn\//.test(n)).map(([, v]) => v);
  const varList = trainable.map(([, v]) => v);
  const schedule = scheduleOf(cfg.optimizer, cfg.epochs);
  return (batch, step, epoch) => {
    const lr = learningRate(schedule, cfg.batchSize, epoch);
    let ceT: TF.Tensor | undefined;
    let stats: BatchStat[] = [];
    const { value, grads } = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, space.inputSize, space.inputSize, space.inputChannels]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), space.numClasses);
      return tf.variableGrads(() => {
        const fwd = net.forward(x, { training: true, dropoutSeed: stepSeed(cfg.seed, step, 2) });
        stats = fwd.batchStats;
        const ce = tf.losses.softmaxCrossEntropy(y, fwd.logits, undefined, cfg.labelSmoothing) as TF.Scalar;
        ceT = tf.keep(ce);
        return tf.add(ce, l2Penalty(tf)(decayed, cfg.weightDecay)) as TF.Scalar;
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
      throw new NumericalError(
        `loss is ${loss} at step ${step} (epoch ${epoch.toFixed(2)})${where ? `; first non-finite gradient in '${where}'` : ''}. Lower the learning rate (optimizer.lrPer256); the last checkpoint is intact`,
      );
    }
    opt.apply(grads, lr);
    tf.dispose(Object.values(grads));
    applyBatchStats(tf, net.params, stats, bnMomentumAt(space.bn.momentum, step));
    return { loss, ce, lr };
  };
}
