/**
 * The kernel measurements behind src/backend/native-ops.ts's depthwiseConv2dTrain and globalAvgPool:
 * the depthwise gradients with SAME padding (rewritten to oneDNN by the wheel's libtensorflow) vs the
 * same padding passed as EXPLICIT pads (stays on TF's Eigen kernel), and AvgPoolGrad vs BroadcastTo
 * for global pooling, at the cifar-small superkernel shapes (batch 64). Medians of interleaved reps.
 *
 *   node --import tsx bench/engine/depthwise-kernels.ts [--reps 8]
 */
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';

interface Native {
  binding: Record<string, number>;
  executeSingleOutput(name: string, attrs: unknown[], inputs: TF.Tensor[]): TF.Tensor;
}

const argv = process.argv.slice(2);
const reps = argv.includes('--reps') ? Number(argv[argv.indexOf('--reps') + 1]) : 8;
const { tf } = loadTf();
if (tf.getBackend() !== 'tensorflow') throw new Error('needs the native backend');
const be = tf.backend() as unknown as Native;
const B = be.binding;
const T = { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT };
const convAttrs = (stride: number, pads?: number[]) => [
  T,
  { name: 'strides', type: B.TF_ATTR_INT, value: [1, stride, stride, 1] },
  { name: 'padding', type: B.TF_ATTR_STRING, value: pads ? 'EXPLICIT' : 'SAME' },
  { name: 'explicit_paddings', type: B.TF_ATTR_INT, value: pads ?? [] },
  { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
  { name: 'dilations', type: B.TF_ATTR_INT, value: [1, 1, 1, 1] },
];
const same = (size: number, k: number, s: number) => {
  const total = Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
};
/** Median ms of each function, interleaved. */
function bench(fs: Array<() => TF.Tensor>): number[] {
  fs.forEach((f) => tf.dispose(f()));
  const t = fs.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    fs.forEach((f, i) => {
      const t0 = process.hrtime.bigint();
      tf.dispose(f());
      t[i]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  return t.map((x) => x.sort((a, b) => a - b)[x.length >> 1]!);
}
const relDiff = (a: () => TF.Tensor, b: () => TF.Tensor) =>
  tf.tidy(() => {
    const p = a();
    return tf.max(tf.abs(tf.sub(p, b()))).dataSync()[0]! / tf.max(tf.abs(p)).dataSync()[0]!;
  });

console.log('| shape (k5) | backprop-filter oneDNN | Eigen | rel. diff | backprop-input oneDNN | Eigen |\n|---|---|---|---|---|---|');
for (const [h, c, s] of [
  [32, 96, 1],
  [32, 96, 2],
  [16, 144, 1],
  [8, 288, 1],
  [4, 576, 1],
] as const) {
  const x = tf.randomNormal([64, h, h, c]);
  const oh = Math.ceil(h / s);
  const dy = tf.randomNormal([64, oh, oh, c]);
  const w = tf.randomNormal([5, 5, c, 1]);
  const pads = [0, 0, ...same(h, 5, s), ...same(h, 5, s), 0, 0];
  const fsz = tf.tensor1d([5, 5, c, 1], 'int32');
  const isz = tf.tensor1d([64, h, h, c], 'int32');
  const filt = (p?: number[]) => () => be.executeSingleOutput('DepthwiseConv2dNativeBackpropFilter', convAttrs(s, p), [x, fsz, dy]);
  const inp = (p?: number[]) => () => be.executeSingleOutput('DepthwiseConv2dNativeBackpropInput', convAttrs(s, p), [isz, w, dy]);
  const [f1, f2, i1, i2] = bench([filt(), filt(pads), inp(), inp(pads)]);
  console.log(
    `| 64x${h}x${h}x${c}, stride ${s} | ${f1!.toFixed(1)} | ${f2!.toFixed(1)} | ${relDiff(filt(), filt(pads)).toExponential(1)} | ${i1!.toFixed(1)} | ${i2!.toFixed(1)} |`,
  );
  tf.dispose([x, dy, w, fsz, isz]);
}

console.log('\n| map | AvgPoolGrad | BroadcastTo(dy / HW) | max abs diff |\n|---|---|---|---|');
for (const [h, c] of [
  [32, 96],
  [16, 144],
  [8, 288],
  [4, 576],
] as const) {
  const dy = tf.randomNormal([64, 1, 1, c]);
  const isz = tf.tensor1d([64, h, h, c], 'int32');
  const poolAttrs = [
    T,
    { name: 'ksize', type: B.TF_ATTR_INT, value: [1, h, h, 1] },
    { name: 'strides', type: B.TF_ATTR_INT, value: [1, 1, 1, 1] },
    { name: 'padding', type: B.TF_ATTR_STRING, value: 'VALID' },
    { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
  ];
  const grad = () => be.executeSingleOutput('AvgPoolGrad', poolAttrs, [isz, dy]);
  const bcast = () =>
    tf.tidy(() => be.executeSingleOutput('BroadcastTo', [T, { name: 'Tidx', type: B.TF_ATTR_TYPE, value: B.TF_INT32 }], [tf.div(dy, h * h), isz]));
  const [a, b] = bench([grad, bcast]);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(grad(), bcast()))).dataSync()[0]!);
  console.log(`| 64x${h}x${h}x${c} | ${a!.toFixed(2)} | ${b!.toFixed(2)} | ${d} |`);
  tf.dispose([dy, isz]);
}
