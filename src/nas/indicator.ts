/**
 * The Single-Path NAS indicator 1(norm - t >= 0): a hard step in the forward pass and the derivative
 * of sigmoid(norm - t) in the backward pass (straight-through sigmoid surrogate), so gradients reach
 * both the threshold t and, through the group norm, the kernel weights.
 */
import type * as TF from '@tensorflow/tfjs';

export type HardStep = (x: TF.Tensor) => TF.Tensor;

const cache = new WeakMap<object, HardStep>();

/** Returns the hard step with sigmoid surrogate gradient for this tf namespace (built once). */
export function hardStep(tf: typeof TF): HardStep {
  let f = cache.get(tf);
  if (!f) {
    const g = tf.customGrad((...args: unknown[]) => {
      const xt = args[0] as TF.Tensor;
      (args[1] as TF.GradSaveFunc)([xt]);
      return {
        value: tf.cast(tf.greaterEqual(xt, 0), 'float32'),
        gradFunc: (dy, saved) => {
          const s = tf.sigmoid(saved[0]!);
          return tf.mul(dy as TF.Tensor, tf.mul(s, tf.sub(1, s)));
        },
      };
    });
    f = (x) => g(x) as TF.Tensor;
    cache.set(tf, f);
  }
  return f;
}

const cacheT = new WeakMap<object, (n: TF.Tensor, t: TF.Tensor) => TF.Tensor>();

/**
 * The same hard step 1(n - t >= 0) whose surrogate gradient reaches only the threshold t, not the norm
 * n (and so not the weights): the runtime term's path when `runtimeGradientTo` is 'thresholds'.
 */
export function hardStepThresholdOnly(tf: typeof TF): (n: TF.Tensor, t: TF.Tensor) => TF.Tensor {
  let f = cacheT.get(tf);
  if (!f) {
    const g = tf.customGrad((...args: unknown[]) => {
      const [n, t] = args as [TF.Tensor, TF.Tensor];
      const x = tf.sub(n, t);
      (args[2] as TF.GradSaveFunc)([x]);
      return {
        value: tf.cast(tf.greaterEqual(x, 0), 'float32'),
        gradFunc: (dy, saved) => {
          const s = tf.sigmoid(saved[0]!);
          return [tf.zerosLike(n), tf.neg(tf.mul(dy as TF.Tensor, tf.mul(s, tf.sub(1, s))))];
        },
      };
    });
    f = (n, t) => g(n, t) as TF.Tensor;
    cacheT.set(tf, f);
  }
  return f;
}

/**
 * Plain L2 (Frobenius) norm of a weight group. A tiny epsilon inside the root keeps the gradient
 * finite when a whole group is zero (the paper's norm has an infinite derivative there).
 */
export function groupNorm(tf: typeof TF, w: TF.Tensor): TF.Scalar {
  return tf.sqrt(tf.add(tf.sum(tf.square(w)), 1e-12)) as TF.Scalar;
}
