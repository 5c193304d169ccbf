import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { l2Penalty } from '../../src/backend/native-ops';
import { applyBatchStats, createBn, type BatchStat } from '../../src/nas/functional-ops';
import { ParamStore } from '../../src/nas/param-store';
import { NesterovSgd, Rmsprop } from '../../src/nas/optimizer';

const { tf } = loadTf();

function bitsEqual(a: TF.Tensor, b: TF.Tensor): boolean {
  const x = a.dataSync();
  const y = b.dataSync();
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

test('RMSProp with grouped scalar/vector updates equals the per-variable formula bit for bit (multipliers, missing gradients)', () => {
  const opts = { decay: 0.9, msInit: 1, momentum: 0.9, epsilon: 1e-3 };
  const shapes: number[][] = [[], [], [7], [3, 3, 4, 1], [5], [], [1, 1, 4, 6], [2]];
  const mults = [3, 1, 1, 1, 0.5, 3, 1, 1];
  const make = (seed: number) => shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', seed + i)));
  const vars = make(10);
  const ref = make(10);
  const opt = new Rmsprop(
    tf,
    vars.map((variable, i) => ({ name: `v${i}`, variable, lrMultiplier: mults[i]! })),
    opts,
  );
  // the reference: TF1 RMSProp written out per variable
  const ms = ref.map((v) => tf.variable(tf.mul(tf.onesLike(v), opts.msInit)));
  const mom = ref.map((v) => tf.variable(tf.zerosLike(v)));
  for (let step = 0; step < 3; step++) {
    const lr = 0.01 * (step + 1);
    const gs = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 100 * step + i));
    const skip = step === 1 ? 4 : -1; // one variable without a gradient in one step
    const grads: Record<string, TF.Tensor> = {};
    vars.forEach((v, i) => {
      if (i !== skip) grads[v.name] = gs[i]!;
    });
    opt.apply(grads, lr);
    tf.tidy(() =>
      ref.forEach((v, i) => {
        if (i === skip) return;
        const g = gs[i]!;
        const newMs = tf.add(tf.mul(ms[i]!, opts.decay), tf.mul(tf.square(g), 1 - opts.decay));
        const newMom = tf.add(tf.mul(mom[i]!, opts.momentum), tf.div(tf.mul(g, lr * mults[i]!), tf.sqrt(tf.add(newMs, opts.epsilon))));
        ms[i]!.assign(newMs);
        mom[i]!.assign(newMom);
        v.assign(tf.sub(v, newMom));
      }),
    );
    tf.dispose(gs);
  }
  const state = new Map(opt.state());
  vars.forEach((v, i) => {
    assert.ok(bitsEqual(v, ref[i]!), `variable ${i} (shape [${shapes[i]}])`);
    assert.ok(bitsEqual(state.get(`v${i}/ms`)!, ms[i]!), `ms of ${i}`);
    assert.ok(bitsEqual(state.get(`v${i}/mom`)!, mom[i]!), `mom of ${i}`);
  });
  opt.dispose();
  tf.dispose([...vars, ...ref, ...ms, ...mom]);
});

test('l2Penalty: value c/2 * sum ||v||^2, gradient c * v identical to the composite gradient, no leaks', () => {
  const c = 4e-5;
  const vars = [[3, 3, 8, 1], [16], [], [1, 1, 8, 12]].map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i)));
  const before = tf.memory().numTensors;
  const got = tf.variableGrads(() => tf.mul(l2Penalty(tf)(vars, c), 1) as TF.Scalar, vars);
  const want = tf.variableGrads(() => tf.mul(0.5 * c, tf.addN(vars.map((v) => tf.sum(tf.square(v))))) as TF.Scalar, vars);
  const rel = Math.abs(got.value.dataSync()[0]! - want.value.dataSync()[0]!) / want.value.dataSync()[0]!;
  assert.ok(rel < 1e-6, `value ${got.value.dataSync()[0]} vs ${want.value.dataSync()[0]}`);
  for (const v of vars) assert.ok(bitsEqual(got.grads[v.name]!, want.grads[v.name]!), `gradient of a [${v.shape}] variable`);
  tf.dispose([got.value, want.value, ...Object.values(got.grads), ...Object.values(want.grads)]);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  assert.equal(
    tf.tidy(() => l2Penalty(tf)([], c).dataSync()[0]),
    0,
  );
  tf.dispose(vars);
});

test('applyBatchStats: the grouped update equals the per-BN formula bit for bit; momentum 1 keeps the statistics even with NaN moments', () => {
  const sizes = [4, 7, 1, 12];
  const make = () => {
    const p = new ParamStore(tf, 0);
    sizes.forEach((n, i) => createBn(p, `bn${i}`, n));
    for (const [name, v] of p.state) v.assign(tf.randomNormal(v.shape, 1, 0.5, 'float32', name.length + v.size));
    return p;
  };
  const moments = (bad = false): BatchStat[] =>
    sizes.map((n, i) => ({
      prefix: `bn${i}`,
      mean: tf.randomNormal([n], 0, 1, 'float32', 10 + i) as TF.Tensor1D,
      variance: (bad ? tf.fill([n], NaN) : tf.randomUniform([n], 0.1, 2, 'float32', 20 + i)) as TF.Tensor1D,
    }));
  const a = make();
  const b = make();
  const m = 0.93;
  const stats = moments();
  const expected = tf.tidy(() =>
    stats.flatMap((s) =>
      ['moving_mean', 'moving_variance'].map((k) => tf.add(tf.mul(b.get(`${s.prefix}/${k}`), m), tf.mul(k === 'moving_mean' ? s.mean : s.variance, 1 - m))),
    ),
  );
  applyBatchStats(tf, a, stats, m);
  stats.forEach((s, i) => {
    assert.ok(bitsEqual(a.get(`${s.prefix}/moving_mean`), expected[2 * i]!), `moving mean ${i}`);
    assert.ok(bitsEqual(a.get(`${s.prefix}/moving_variance`), expected[2 * i + 1]!), `moving variance ${i}`);
    assert.ok(s.mean.isDisposed && s.variance.isDisposed, 'moments disposed');
  });
  const before = a.all().map(([, v]) => Float32Array.from(v.dataSync()));
  applyBatchStats(tf, a, moments(true), 1);
  a.all().forEach(([n, v], i) => assert.deepEqual(Float32Array.from(v.dataSync()), before[i], `${n} unchanged`));
  tf.dispose(expected);
  a.dispose();
  b.dispose();
});

test('SGD with Nesterov momentum: grouped updates equal the per-variable formula bit for bit', () => {
  const shapes: number[][] = [[], [5], [3, 3, 2, 1], []];
  const make = () => shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', 40 + i)));
  const vars = make();
  const ref = make();
  const opt = new NesterovSgd(
    tf,
    vars.map((variable, i) => ({ name: `v${i}`, variable, lrMultiplier: i === 3 ? 2 : 1 })),
    0.9,
  );
  const mom = ref.map((v) => tf.variable(tf.zerosLike(v)));
  for (let step = 0; step < 3; step++) {
    const lr = 0.1 / (step + 1);
    const gs = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 300 + 10 * step + i));
    opt.apply(Object.fromEntries(vars.map((v, i) => [v.name, gs[i]!])), lr);
    tf.tidy(() =>
      ref.forEach((v, i) => {
        const m = tf.add(tf.mul(mom[i]!, 0.9), gs[i]!);
        mom[i]!.assign(m);
        v.assign(tf.sub(v, tf.mul(tf.add(gs[i]!, tf.mul(m, 0.9)), lr * (i === 3 ? 2 : 1))));
      }),
    );
    tf.dispose(gs);
  }
  const state = new Map(opt.state());
  vars.forEach((v, i) => {
    assert.ok(bitsEqual(v, ref[i]!), `variable ${i}`);
    assert.ok(bitsEqual(state.get(`v${i}/mom`)!, mom[i]!), `mom of ${i}`);
  });
  opt.dispose();
  tf.dispose([...vars, ...ref, ...mom]);
});
