/**
 * The search's optimizer: RMSProp (the reference's) for the supernet weights, and the thresholds by
 * `config.thresholdUpdate` (threshold-update.ts) at `thresholdLrMultiplier` times the weights' rate.
 * `frozenThresholds` leaves them untouched for a step (the warm-up, `warmupThresholds: 'frozen'`).
 */
import type * as TF from '@tensorflow/tfjs';
import type { SearchConfig } from '../config/training-config';
import { createOptimizer, type Optimizer } from './optimizer';
import type { Supernet } from './supernet';
import { SgdThresholds, THRESHOLD_GAIN } from './threshold-update';
import { thresholdName, type ThresholdKey } from './weight-names';

export class SearchOptimizer {
  private readonly weights: Optimizer;
  private readonly thresholds?: SgdThresholds;
  /** tf.Variable names of the thresholds. */
  private readonly thresholdIds: Set<string>;

  constructor(tf: typeof TF, net: Supernet, cfg: Pick<SearchConfig, 'thresholdUpdate' | 'thresholdLrMultiplier' | 'optimizer'>) {
    const thresholdNames = new Set(net.thresholds.flatMap((t, i) => (Object.keys(t) as ThresholdKey[]).map((k) => thresholdName(i, k))));
    const all = [...net.params.trainable].map(([name, variable]) => ({ name, variable, isThreshold: thresholdNames.has(name) }));
    this.thresholdIds = new Set(all.filter((v) => v.isThreshold).map((v) => v.variable.name));
    if (cfg.thresholdUpdate === 'rmsprop') {
      this.weights = createOptimizer(
        tf,
        all.map(({ name, variable, isThreshold }) => ({ name, variable, lrMultiplier: isThreshold ? cfg.thresholdLrMultiplier : 1 })),
        cfg.optimizer,
      );
    } else {
      this.weights = createOptimizer(
        tf,
        all.filter((v) => !v.isThreshold).map(({ name, variable }) => ({ name, variable, lrMultiplier: 1 })),
        cfg.optimizer,
      );
      this.thresholds = new SgdThresholds(
        tf,
        all.filter((v) => v.isThreshold),
        (cfg.thresholdLrMultiplier * THRESHOLD_GAIN) / (1 - cfg.optimizer.momentum),
      );
    }
  }

  /**
   * One update; gradients keyed by tf.Variable name. `flipLimit` (plain-SGD thresholds only): at most
   * that many decisions flip, given the step's group norms by threshold name (flip-limit.ts).
   */
  apply(
    grads: Record<string, TF.Tensor>,
    lr: number,
    o: { frozenThresholds?: boolean; flipLimit?: { norms: ReadonlyMap<string, number>; maxFlips: number } } = {},
  ): void {
    const g = o.frozenThresholds ? Object.fromEntries(Object.entries(grads).filter(([id]) => !this.thresholdIds.has(id))) : grads;
    this.weights.apply(g, lr);
    this.thresholds?.apply(g, lr, o.flipLimit);
  }

  /** Optimizer slots by name, for checkpoints. */
  state(): Array<[string, TF.Variable]> {
    return this.weights.state();
  }

  dispose(): void {
    this.weights.dispose();
  }
}
