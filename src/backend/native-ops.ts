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
  binding: {
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_INT: number;
    TF_FLOAT: number;
    TF_INT32: number;
  };
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
  const halfSquares = (vs: TF.Tensor[]): TF.Tensor[] =>
    be ? vs.map((v) => be.executeSingleOutput('L2Loss', attrs!, [v])) : vs.map((v) => tf.mul(tf.sum(tf.square(v)), 0.5));
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

type DepthwiseFn = (x: TF.Tensor4D, w: TF.Tensor4D, stride: number) => TF.Tensor4D;
const dwCache = new WeakMap<object, DepthwiseFn>();

/**
 * Depthwise 'same' convolution (depth multiplier 1) whose filter gradient runs TensorFlow's Eigen
 * kernel instead of the oneDNN one. The wheel's libtensorflow rewrites DepthwiseConv2dNative* ops to
 * oneDNN (TF_ENABLE_ONEDNN_OPTS, on by default), and oneDNN's backprop-filter is 1.3-2.7x slower than
 * Eigen's on this CPU for the superkernel's 5x5 shapes (64x32x32x96: 65 -> 28 ms); it is the
 * largest kernel of a training step. Passing the same padding as EXPLICIT pads opts out of the
 * rewrite. Forward and input gradient stay oneDNN (faster there). The filter gradient equals the
 * default one up to float32 summation order (relative 1e-6).
 */
export function depthwiseConv2dTrain(tf: typeof TF): DepthwiseFn {
  let f = dwCache.get(tf);
  if (f) return f;
  const be = nativeBackend(tf);
  if (!be) {
    f = (x, w, stride) => tf.depthwiseConv2d(x, w, stride as 1 | 2, 'same');
  } else {
    const B = be.binding;
    const attrs = (stride: number, pads?: number[]): OpAttr[] => [
      { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
      { name: 'strides', type: B.TF_ATTR_INT, value: [1, stride, stride, 1] },
      { name: 'padding', type: B.TF_ATTR_STRING, value: pads ? 'EXPLICIT' : 'SAME' },
      { name: 'explicit_paddings', type: B.TF_ATTR_INT, value: pads ?? [] },
      { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
      { name: 'dilations', type: B.TF_ATTR_INT, value: [1, 1, 1, 1] },
    ];
    /** TF's SAME padding of one spatial dimension as [before, after]. */
    const same = (size: number, k: number, stride: number) => {
      const total = Math.max((Math.ceil(size / stride) - 1) * stride + k - size, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    const byStride = new Map<number, (x: TF.Tensor4D, w: TF.Tensor4D) => TF.Tensor4D>();
    f = (x, w, stride) => {
      let g = byStride.get(stride);
      if (!g) {
        g = tf.customGrad((...args: unknown[]) => {
          const [xi, wi] = args as [TF.Tensor4D, TF.Tensor4D];
          (args[2] as TF.GradSaveFunc)([xi, wi]);
          return {
            value: tf.depthwiseConv2d(xi, wi, stride as 1 | 2, 'same'),
            gradFunc: (dy: TF.Tensor | TF.Tensor[], saved: TF.Tensor[]) => {
              const [sx, sw] = saved as [TF.Tensor4D, TF.Tensor4D];
              const [, h, wd] = sx.shape;
              const [kh, kw] = sw.shape;
              const pads = [0, 0, ...same(h, kh, stride), ...same(wd, kw, stride), 0, 0];
              const inputSizes = tf.tensor1d(sx.shape, 'int32');
              const filterSizes = tf.tensor1d(sw.shape, 'int32');
              const dx = be.executeSingleOutput('DepthwiseConv2dNativeBackpropInput', attrs(stride), [inputSizes, sw, dy as TF.Tensor]);
              const dw = be.executeSingleOutput('DepthwiseConv2dNativeBackpropFilter', attrs(stride, pads), [sx, filterSizes, dy as TF.Tensor]);
              inputSizes.dispose();
              filterSizes.dispose();
              return [dx, dw];
            },
          };
        }) as (x: TF.Tensor4D, w: TF.Tensor4D) => TF.Tensor4D;
        byStride.set(stride, g);
      }
      return g(x, w);
    };
  }
  dwCache.set(tf, f);
  return f;
}

type PoolFn = (x: TF.Tensor4D) => TF.Tensor4D;
const poolCache = new WeakMap<object, PoolFn>();

/**
 * Global average pooling [B, H, W, C] -> [B, 1, 1, C] whose gradient is one native BroadcastTo of
 * dy / (H*W) instead of AvgPoolGrad (2.8x faster on 64x32x32x96, same values: each input pixel is in
 * exactly one window). The forward is tf.avgPool over the whole map.
 */
export function globalAvgPool(tf: typeof TF): PoolFn {
  let f = poolCache.get(tf);
  if (f) return f;
  const be = nativeBackend(tf);
  const pool = (x: TF.Tensor4D) => tf.avgPool(x, [x.shape[1], x.shape[2]], 1, 'valid') as TF.Tensor4D;
  if (!be) {
    f = pool;
  } else {
    const B = be.binding;
    const attrs: OpAttr[] = [
      { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
      { name: 'Tidx', type: B.TF_ATTR_TYPE, value: B.TF_INT32 },
    ];
    f = tf.customGrad((...args: unknown[]) => {
      const x = args[0] as TF.Tensor4D;
      const shape = x.shape;
      return {
        value: pool(x),
        gradFunc: (dy: TF.Tensor | TF.Tensor[]) => {
          const scaled = tf.div(dy as TF.Tensor, shape[1] * shape[2]);
          const target = tf.tensor1d(shape, 'int32');
          const dx = be.executeSingleOutput('BroadcastTo', attrs, [scaled, target]);
          scaled.dispose();
          target.dispose();
          return dx;
        },
      };
    }) as PoolFn;
  }
  poolCache.set(tf, f);
  return f;
}
