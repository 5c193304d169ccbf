import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { depthwiseConv2dTrain, globalAvgPool } from '../../src/backend/native-ops';

const { tf } = loadTf();

const maxRel = (a: TF.Tensor, b: TF.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]!));

test('depthwiseConv2dTrain: same forward and gradients as tf.depthwiseConv2d (k3/k5, stride 1/2, odd and even sizes)', () => {
  const dw = depthwiseConv2dTrain(tf);
  let seed = 1;
  for (const k of [3, 5]) {
    for (const stride of [1, 2]) {
      for (const size of [7, 8, 9, 16]) {
        tf.tidy(() => {
          const x = tf.randomNormal([3, size, size, 6], 0, 1, 'float32', seed++) as TF.Tensor4D;
          const w = tf.randomNormal([k, k, 6, 1], 0, 1, 'float32', seed++) as TF.Tensor4D;
          const probe = tf.randomNormal([3, Math.ceil(size / stride), Math.ceil(size / stride), 6], 0, 1, 'float32', seed++);
          const loss = (f: (a: TF.Tensor4D, b: TF.Tensor4D) => TF.Tensor) => (a: TF.Tensor, b: TF.Tensor) =>
            tf.sum(tf.mul(f(a as TF.Tensor4D, b as TF.Tensor4D), probe));
          const ours = (a: TF.Tensor4D, b: TF.Tensor4D) => dw(a, b, stride);
          const ref = (a: TF.Tensor4D, b: TF.Tensor4D) => tf.depthwiseConv2d(a, b, stride as 1 | 2, 'same');
          const what = `k${k} stride ${stride} size ${size}`;
          assert.equal(maxRel(ours(x, w), ref(x, w)), 0, `${what}: forward`);
          const [gx, gw] = tf.grads(loss(ours))([x, w]);
          const [rx, rw] = tf.grads(loss(ref))([x, w]);
          assert.deepEqual(gw!.shape, rw!.shape);
          assert.ok(maxRel(gx!, rx!) < 1e-6, `${what}: input gradient ${maxRel(gx!, rx!)}`);
          assert.ok(maxRel(gw!, rw!) < 1e-5, `${what}: filter gradient ${maxRel(gw!, rw!)}`);
        });
      }
    }
  }
});

test('globalAvgPool: same forward and gradient as a whole-map tf.avgPool (power-of-2 and odd maps)', () => {
  const pool = globalAvgPool(tf);
  for (const [h, w] of [
    [8, 8],
    [7, 7],
    [4, 6],
    [1, 1],
  ] as const) {
    tf.tidy(() => {
      const x = tf.randomNormal([3, h, w, 5], 0, 1, 'float32', h * 10 + w) as TF.Tensor4D;
      const probe = tf.randomNormal([3, 1, 1, 5], 0, 1, 'float32', 99);
      const ref = (a: TF.Tensor4D) => tf.avgPool(a, [h, w], 1, 'valid') as TF.Tensor4D;
      assert.equal(maxRel(pool(x), ref(x)), 0, `${h}x${w}: forward`);
      const g = tf.grad((a) => tf.sum(tf.mul(pool(a as TF.Tensor4D), probe)))(x);
      const r = tf.grad((a) => tf.sum(tf.mul(ref(a as TF.Tensor4D), probe)))(x);
      assert.ok(maxRel(g, r) < 1e-6, `${h}x${w}: gradient ${maxRel(g, r)}`);
    });
  }
});
