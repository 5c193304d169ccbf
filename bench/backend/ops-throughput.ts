/**
 * Native (libtensorflow via tfjs-node) vs pure-JS TF.js backend: conv2d, depthwise conv2d and matmul
 * throughput in GFLOP/s, forward and backward, in one run with interleaved rounds (this machine is
 * shared and noisy: compare the ratios). Usage: node --import tsx bench/backend/ops-throughput.ts
 */
import { loadTf } from '../../src/backend/tf';

const { tf } = loadTf();

interface Case {
  name: string;
  flops: number;
  run: () => void;
}

function cases(): Case[] {
  const m = 512;
  const a = tf.randomNormal([m, m]);
  const b = tf.randomNormal([m, m]);
  const x = tf.randomNormal([8, 32, 32, 64]) as import('@tensorflow/tfjs').Tensor4D;
  const w = tf.randomNormal([3, 3, 64, 64]) as import('@tensorflow/tfjs').Tensor4D;
  const xd = tf.randomNormal([8, 32, 32, 96]) as import('@tensorflow/tfjs').Tensor4D;
  const wd = tf.randomNormal([5, 5, 96, 1]) as import('@tensorflow/tfjs').Tensor4D;
  const convFlops = 2 * 8 * 32 * 32 * 64 * 64 * 9;
  const dwFlops = 2 * 8 * 32 * 32 * 96 * 25;
  const sync = (t: import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[]) => (Array.isArray(t) ? t : [t]).forEach((u) => u.dataSync());
  return [
    { name: `matmul ${m}x${m}x${m}`, flops: 2 * m ** 3, run: () => tf.tidy(() => sync(tf.matMul(a, b))) },
    { name: 'conv2d 3x3 8x32x32x64->64 fwd', flops: convFlops, run: () => tf.tidy(() => sync(tf.conv2d(x, w, 1, 'same'))) },
    {
      name: 'conv2d 3x3 fwd+bwd (input, filter)',
      flops: 3 * convFlops,
      run: () => tf.tidy(() => sync(tf.grads((xx, ww) => tf.sum(tf.conv2d(xx as typeof x, ww as typeof w, 1, 'same')))([x, w]))),
    },
    { name: 'depthwise 5x5 8x32x32x96 fwd', flops: dwFlops, run: () => tf.tidy(() => sync(tf.depthwiseConv2d(xd, wd, 1, 'same'))) },
    {
      name: 'depthwise 5x5 fwd+bwd (input, filter)',
      flops: 3 * dwFlops,
      run: () => tf.tidy(() => sync(tf.grads((xx, ww) => tf.sum(tf.depthwiseConv2d(xx as typeof xd, ww as typeof wd, 1, 'same')))([xd, wd]))),
    },
  ];
}

function medianMs(f: () => void, reps: number): number {
  f();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((p, q) => p - q);
  return t[t.length >> 1]!;
}

async function main(): Promise<void> {
  const results: Record<string, Record<string, number>> = {};
  for (const backend of ['tensorflow', 'cpu']) {
    await tf.setBackend(backend);
    const reps = backend === 'cpu' ? 2 : 10;
    for (const c of cases()) {
      const ms = medianMs(c.run, reps);
      (results[c.name] ??= {})[backend] = c.flops / ms / 1e6;
      process.stderr.write(`${backend.padEnd(10)} ${c.name.padEnd(40)} ${ms.toFixed(1)} ms\n`);
    }
  }
  await tf.setBackend('tensorflow');
  console.log('| op | native GFLOP/s | pure-JS GFLOP/s | native / JS |');
  console.log('|---|---|---|---|');
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${r.tensorflow!.toFixed(2)} | ${r.cpu!.toFixed(3)} | ${(r.tensorflow! / r.cpu!).toFixed(0)}x |`);
  }
}

void main();
