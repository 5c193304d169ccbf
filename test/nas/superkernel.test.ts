import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { applySuperkernel, superkernelMasks } from '../../src/nas/superkernel';

const { tf } = loadTf();
const ON = -1e9; // threshold below any norm: indicator 1
const OFF = 1e9; // threshold above any norm: indicator 0

function maxAbsDiff(a: TF.Tensor, b: TF.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

test('superkernel output equals the plain depthwise conv of the selected kernel and width, for every indicator combination', () => {
  const C = 12;
  const x = tf.randomNormal([2, 9, 9, C], 0, 1, 'float32', 3) as TF.Tensor4D;
  const w = tf.randomNormal([5, 5, C, 1], 0, 1, 'float32', 4) as TF.Tensor4D;
  const masks = superkernelMasks(tf, C);
  const cases: Array<{ k: 0 | 1; e6: 0 | 1; on: 0 | 1 }> = [];
  for (const k of [0, 1] as const) for (const e6 of [0, 1] as const) for (const on of [0, 1] as const) cases.push({ k, e6, on });
  for (const stride of [1, 2] as const) {
    for (const c of cases) {
      tf.tidy(() => {
        const t = {
          t5x5: tf.variable(tf.scalar(c.k ? ON : OFF)),
          t100c: tf.variable(tf.scalar(c.e6 ? ON : OFF)),
          t50c: tf.variable(tf.scalar(c.on ? ON : OFF)),
        };
        const sk = applySuperkernel(tf, w, t, masks, true);
        const got = tf.mul(tf.depthwiseConv2d(x, sk.kernel, stride, 'same'), sk.channelMask);
        // reference: the child's plain depthwise conv on the active channels, zero elsewhere
        const active = c.on ? (c.e6 ? C : C / 2) : 0;
        let want: TF.Tensor = tf.zerosLike(got);
        if (active > 0) {
          const kern = c.k ? tf.slice(w, [0, 0, 0, 0], [5, 5, active, 1]) : tf.slice(w, [1, 1, 0, 0], [3, 3, active, 1]);
          const part = tf.depthwiseConv2d(tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, active]) as TF.Tensor4D, kern as TF.Tensor4D, stride, 'same');
          want = active === C ? part : tf.concat([part, tf.zeros([...part.shape.slice(0, 3), C - active])], 3);
        }
        assert.equal(sk.indicators.d5x5.dataSync()[0], c.k);
        assert.equal(sk.indicators.d100c.dataSync()[0], c.e6);
        assert.equal(sk.indicators.d50c.dataSync()[0], c.on);
        assert.ok(maxAbsDiff(got, want) < 1e-4, `stride ${stride} ${JSON.stringify(c)}: diff ${maxAbsDiff(got, want)}`);
        Object.values(t).forEach((v) => v.dispose());
      });
    }
  }
  x.dispose();
  w.dispose();
});

test('gradients reach thresholds and kernel weights and match finite differences of the sigmoid surrogate', () => {
  const C = 8;
  const masks = superkernelMasks(tf, C);
  const w0 = tf.mul(tf.randomNormal([5, 5, C, 1], 0, 1, 'float32', 9), 0.3) as TF.Tensor4D;
  // thresholds near the norms so the surrogate derivative is not vanishingly small
  const norms = tf.tidy(() => {
    const n5 = tf.norm(tf.mul(w0, masks.mask5x5)).dataSync()[0]!;
    const wk = tf.add(tf.mul(w0, masks.mask3x3), tf.mul(w0, masks.mask5x5));
    return { n5, n100: tf.norm(tf.mul(wk, masks.mask100c)).dataSync()[0]!, n50: tf.norm(tf.mul(wk, masks.mask50c)).dataSync()[0]! };
  });
  const th0 = { t5x5: norms.n5 - 0.3, t100c: norms.n100 + 0.2, t50c: norms.n50 - 0.5 };
  const coef = { d5x5: 1.3, d100c: -0.7, d50c: 2.1 };
  const wv = tf.variable(w0.clone());
  const tv = { t5x5: tf.variable(tf.scalar(th0.t5x5)), t100c: tf.variable(tf.scalar(th0.t100c)), t50c: tf.variable(tf.scalar(th0.t50c)) };
  const probe = tf.randomNormal([5, 5, C, 1], 0, 1, 'float32', 11);
  const loss = (sk: ReturnType<typeof applySuperkernel>) =>
    tf.addN([
      tf.mul(sk.indicators.d5x5, coef.d5x5),
      tf.mul(sk.indicators.d100c, coef.d100c),
      tf.mul(sk.indicators.d50c, coef.d50c),
      tf.sum(tf.mul(sk.kernel, probe)),
    ]) as TF.Scalar;
  const { grads } = tf.variableGrads(() => loss(applySuperkernel(tf, wv, tv, masks, true)), [wv, tv.t5x5, tv.t100c, tv.t50c]);

  // surrogate forward: hard values at the base point, sigmoid slopes around it
  const x0 = { d5x5: norms.n5 - th0.t5x5, d100c: norms.n100 - th0.t100c, d50c: norms.n50 - th0.t50c };
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const surrogate = (w: TF.Tensor4D, t: typeof th0): number =>
    tf.tidy(() => {
      const soft = (x: number, key: keyof typeof x0) => (x0[key] >= 0 ? 1 : 0) + sig(x) - sig(x0[key]);
      const w5 = tf.mul(w, masks.mask5x5);
      const d5 = soft(tf.norm(w5).dataSync()[0]! - t.t5x5, 'd5x5');
      const wk = tf.add(tf.mul(w, masks.mask3x3), tf.mul(w5, d5));
      const wk100 = tf.mul(wk, masks.mask100c);
      const wk50 = tf.mul(wk, masks.mask50c);
      const d100 = soft(tf.norm(wk100).dataSync()[0]! - t.t100c, 'd100c');
      const d50 = soft(tf.norm(wk50).dataSync()[0]! - t.t50c, 'd50c');
      const kernel = tf.mul(d50, tf.add(wk50, tf.mul(d100, wk100)));
      return coef.d5x5 * d5 + coef.d100c * d100 + coef.d50c * d50 + tf.sum(tf.mul(kernel, probe)).dataSync()[0]!;
    });
  const h = 1e-2;
  for (const key of ['t5x5', 't100c', 't50c'] as const) {
    const fd = (surrogate(w0, { ...th0, [key]: th0[key] + h }) - surrogate(w0, { ...th0, [key]: th0[key] - h })) / (2 * h);
    const g = grads[tv[key].name]!.dataSync()[0]!;
    assert.ok(Math.abs(g) > 1e-3, `gradient reaches ${key}`);
    assert.ok(Math.abs(g - fd) < 2e-2 * Math.max(1, Math.abs(fd)), `${key}: autodiff ${g} vs finite difference ${fd}`);
  }
  // a few kernel entries, on the ring and in the core, both channel halves
  const gw = grads[wv.name]!.arraySync() as number[][][][];
  for (const [i, j, c] of [
    [0, 0, 1],
    [2, 2, 6],
    [4, 1, 5],
    [1, 3, 2],
  ] as const) {
    const bump = (d: number) => tf.tidy(() => tf.add(w0, tf.mul(tf.oneHot([(i * 5 + j) * C + c], 25 * C).reshape([5, 5, C, 1]), d)) as TF.Tensor4D);
    const wp = bump(h),
      wm = bump(-h);
    const fd = (surrogate(wp, th0) - surrogate(wm, th0)) / (2 * h);
    wp.dispose();
    wm.dispose();
    const g = gw[i]![j]![c]![0]!;
    assert.ok(Math.abs(g - fd) < 2e-2 * Math.max(1, Math.abs(fd)), `W[${i},${j},${c}]: autodiff ${g} vs finite difference ${fd}`);
  }
});
