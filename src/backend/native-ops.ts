/**
 * Training-mode batch normalisation (+ ReLU) as ONE native TensorFlow kernel forward and ONE backward
 * (FusedBatchNormV3 / FusedBatchNormGradV3, ReluGrad), through tfjs-node's op executor. TF.js's own
 * gradient of tf.moments + tf.batchNorm is a chain of ~20 JavaScript-dispatched elementwise ops and was
 * 6x slower than the forward on this machine; BN sits after every conv, so this is the step's hot path.
 *
 * Falls back to the composite ops on a backend without the executor (pure JS).
 */
import type * as TF from '@tensorflow/tfjs';

interface OpAttr {
  name: string;
  type: number;
  value: boolean | number | string | number[];
}
interface NativeBackend {
  binding: { TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: TF.Tensor[], n: number): TF.Tensor[];
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: TF.Tensor[]): TF.Tensor;
}

export interface BnResult {
  y: TF.Tensor4D;
  /** Batch mean and (unbiased) batch variance, for the moving statistics. */
  mean: TF.Tensor1D;
  variance: TF.Tensor1D;
}

type BnReluFn = (x: TF.Tensor4D, gamma: TF.Tensor1D, beta: TF.Tensor1D, epsilon: number, relu: boolean) => BnResult;
const cache = new WeakMap<object, BnReluFn>();

function nativeBackend(tf: typeof TF): NativeBackend | undefined {
  const b = tf.backend() as unknown as Partial<NativeBackend>;
  return tf.getBackend() === 'tensorflow' && typeof b.executeMultipleOutputs === 'function' ? (b as NativeBackend) : undefined;
}

function compositeBnRelu(tf: typeof TF): BnReluFn {
  return (x, gamma, beta, epsilon, relu) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y = tf.batchNorm(x, mean as TF.Tensor1D, variance as TF.Tensor1D, beta, gamma, epsilon);
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    return { y: relu ? tf.relu(y) : y, mean: tf.keep(mean) as TF.Tensor1D, variance: tf.keep(tf.mul(variance, n / Math.max(1, n - 1))) as TF.Tensor1D };
  };
}

function nativeBnRelu(tf: typeof TF, be: NativeBackend): BnReluFn {
  const B = be.binding;
  const attrs = (epsilon: number): OpAttr[] => [
    { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'U', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'epsilon', type: B.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: B.TF_ATTR_BOOL, value: true },
  ];
  const empty = tf.keep(tf.tensor1d([])); // built lazily, maybe inside a tidy: keep it
  const reluGradAttrs: OpAttr[] = [{ name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT }];
  // The op's value must be one tensor: the batch moments leave through this side channel instead.
  let moments: { mean: TF.Tensor1D; variance: TF.Tensor1D } | undefined;
  const make = (epsilon: number, relu: boolean) =>
    tf.customGrad((...args: unknown[]) => {
      const [x, gamma, beta] = args as [TF.Tensor4D, TF.Tensor1D, TF.Tensor1D];
      const save = args[3] as TF.GradSaveFunc;
      const [yBn, mean, variance, r1, r2, r3] = be.executeMultipleOutputs('FusedBatchNormV3', attrs(epsilon), [x, gamma, beta, empty, empty], 6);
      const y = relu ? tf.relu(yBn!) : yBn!;
      save([x, gamma, r1!, r2!, r3!, y]);
      moments = { mean: tf.keep(mean!) as TF.Tensor1D, variance: tf.keep(variance!) as TF.Tensor1D };
      return {
        value: y,
        gradFunc: (dy: TF.Tensor | TF.Tensor[], saved: TF.Tensor[]) => {
          const [sx, sg, s1, s2, s3, sy] = saved as [TF.Tensor4D, TF.Tensor1D, TF.Tensor, TF.Tensor, TF.Tensor, TF.Tensor4D];
          const g = relu ? be.executeSingleOutput('ReluGrad', reluGradAttrs, [dy as TF.Tensor, sy]) : (dy as TF.Tensor);
          const [dx, dgamma, dbeta] = be.executeMultipleOutputs('FusedBatchNormGradV3', attrs(epsilon), [g, sx, sg, s1, s2, s3], 5);
          return [dx!, dgamma!, dbeta!];
        },
      };
    });
  const fns = new Map<string, ReturnType<typeof make>>();
  return (x, gamma, beta, epsilon, relu) => {
    const key = `${epsilon}:${relu}`;
    let f = fns.get(key);
    if (!f) fns.set(key, (f = make(epsilon, relu)));
    const y = f(x, gamma, beta) as TF.Tensor4D;
    const m = moments!;
    moments = undefined;
    return { y, mean: m.mean, variance: m.variance };
  };
}

/**
 * Training-mode BN (+ReLU): y = [relu](gamma * (x - mean_B) / sqrt(var_B + eps) + beta).
 * The returned mean/variance are kept (tf.keep): the caller disposes them after updating the moving
 * statistics.
 */
export function bnReluTraining(tf: typeof TF): BnReluFn {
  let f = cache.get(tf);
  if (!f) {
    const be = nativeBackend(tf);
    f = be ? nativeBnRelu(tf, be) : compositeBnRelu(tf);
    cache.set(tf, f);
  }
  return f;
}

type L2PenaltyFn = (vars: TF.Tensor[], coefficient: number) => TF.Scalar;
const l2Cache = new WeakMap<object, L2PenaltyFn>();

/**
 * coefficient * sum_v ||v||^2 / 2 (L2 weight decay in the loss) as ONE recorded op: forward one native
 * L2Loss per tensor + AddN, backward coefficient * v * dy per tensor. TF.js's own gradient of
 * tf.sum(tf.square(v)) is ~6 dispatched ops per variable (broadcast, cast, two muls, accumulation),
 * which on a ~120-variable network cost more than the forward. The gradient is bit-identical to the
 * composite's ((0.5 * c) * (2 * v) == c * v exactly in binary floating point); the loss value may
 * differ in the last bits (another summation order).
 */
export function l2Penalty(tf: typeof TF): L2PenaltyFn {
  let f = l2Cache.get(tf);
  if (f) return f;
  const be = nativeBackend(tf);
  const attrs: OpAttr[] | undefined = be ? [{ name: 'T', type: be.binding.TF_ATTR_TYPE, value: be.binding.TF_FLOAT }] : undefined;
  const halfSquares = (vs: TF.Tensor[]): TF.Tensor[] => (be ? vs.map((v) => be.executeSingleOutput('L2Loss', attrs!, [v])) : vs.map((v) => tf.mul(tf.sum(tf.square(v)), 0.5)));
  const fns = new Map<number, (...args: TF.Tensor[]) => TF.Tensor>();
  f = (vars, coefficient) => {
    if (vars.length === 0) return tf.scalar(0);
    let g = fns.get(coefficient);
    if (!g) {
      g = tf.customGrad((...args: unknown[]) => {
        const vs = args.slice(0, -1) as TF.Tensor[];
        (args[args.length - 1] as TF.GradSaveFunc)(vs);
        const parts = halfSquares(vs);
        const value = tf.mul(parts.length === 1 ? parts[0]! : tf.addN(parts), coefficient);
        tf.dispose(parts);
        return {
          value,
          gradFunc: (dy: TF.Tensor | TF.Tensor[], saved: TF.Tensor[]) => {
            const c = tf.mul(dy as TF.Tensor, coefficient);
            return saved.map((v) => tf.mul(v, c));
          },
        };
      }) as (...args: TF.Tensor[]) => TF.Tensor;
      fns.set(coefficient, g);
    }
    return g(...vars) as TF.Scalar;
  };
  l2Cache.set(tf, f);
  return f;
}
