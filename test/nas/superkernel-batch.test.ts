import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { Supernet } from '../../src/nas/supernet';
import { applySuperkernel, seIndicator, type IndicatorDropout, type SuperkernelResult } from '../../src/nas/superkernel';
import { runtimeTensor, runtimeTensorFromVectors } from '../../src/nas/runtime-tf';
import { blockName } from '../../src/nas/weight-names';

const { tf } = loadTf();

/** The per-layer reference (applySuperkernel + seIndicator), as the supernet computed it before batching. */
function reference(net: Supernet, drop?: IndicatorDropout[]): SuperkernelResult[] {
  return net.layout.searchable.map((l) => {
    const n = blockName.searchable(l.index);
    const t = net.thresholds[l.index]!;
    const sc = net.normScales[l.index];
    const d = drop?.[l.index];
    const sk = applySuperkernel(tf, net.params.get(`${n}_dw_conv/depthwise_kernel`) as TF.Tensor4D, t, net.masks[l.index]!, l.skipAllowed, d, sc);
    if (!t.tse) return sk;
    const dse = seIndicator(tf, net.params.get(`${n}_se_reduce/kernel`), t.tse, sc?.sse);
    const ase = d && d.dse !== 1 ? (tf.mul(dse, d.dse) as TF.Scalar) : dse;
    return { ...sk, indicators: { ...sk.indicators, dse }, applied: { ...sk.applied, dse: ase } };
  });
}

function relDiff(a: TF.Tensor, b: TF.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1e-6, tf.max(tf.abs(b)).dataSync()[0]!));
}

for (const norm of ['relative', 'l2'] as const) {
  test(`batched superkernels equal the per-layer reference: indicators, kernels, channel masks and gradients (${norm} norm, with and without dropout)`, () => {
    const space = getPreset('cifar-tiny');
    const net = new Supernet(tf, space, 5, norm);
    // thresholds near each group's current norm, so both indicator values occur and the surrogate slope is large
    let s = 11;
    const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
    net.layout.searchable.forEach((l) => {
      const n = blockName.searchable(l.index);
      const sc = net.normScales[l.index];
      const scale = (v: number, k: 's5x5' | 's100c' | 's50c' | 'sse') => (sc ? v / sc[k]!.dataSync()[0]! : v);
      const w = net.params.get(`${n}_dw_conv/depthwise_kernel`);
      const m = net.masks[l.index]!;
      const nv = (t: TF.Tensor) => tf.tidy(() => tf.norm(t).dataSync()[0]!);
      const jitter = () => (rnd() - 0.5) * (norm === 'relative' ? 0.1 : 0.1 * nv(w));
      const t = net.thresholds[l.index]!;
      t.t5x5.assign(tf.scalar(scale(nv(tf.mul(w, m.mask5x5)), 's5x5') + jitter()));
      t.t100c.assign(tf.scalar(scale(nv(tf.mul(w, m.mask100c)), 's100c') * 0.8 + jitter()));
      t.t50c?.assign(tf.scalar(scale(nv(tf.mul(w, m.mask50c)), 's50c') * 0.8 + jitter()));
      t.tse?.assign(tf.scalar(scale(nv(net.params.get(`${n}_se_reduce/kernel`)), 'sse') + jitter()));
    });
    const drops: Array<IndicatorDropout[] | undefined> = [
      undefined,
      net.layout.searchable.map((_, i) => ({ d5x5: i % 2 ? 1 / 0.6 : 0, d50c: i % 3 ? 1 / 0.6 : 0, d100c: 1 / 0.6, dse: i % 2 ? 0 : 1 / 0.6 })),
    ];
    const named = [...net.params.trainable];
    const vars = named.map(([, v]) => v);
    for (const drop of drops) {
      const probes = net.layout.searchable.map((l, i) => ({
        k: tf.randomNormal([5, 5, l.maxExpandedChannels, 1], 0, 1, 'float32', 100 + i),
        c: tf.randomNormal([l.maxExpandedChannels], 0, 1, 'float32', 200 + i),
      }));
      const loss = (rs: SuperkernelResult[]) =>
        tf.addN(
          rs.flatMap((r, i) => [
            tf.sum(tf.mul(r.kernel, probes[i]!.k)),
            tf.sum(tf.mul(r.channelMask, probes[i]!.c)),
            ...(['d5x5', 'd50c', 'd100c', 'dse'] as const).flatMap((k, j) => [tf.mul(r.indicators[k], 0.3 + j), tf.mul(r.applied[k], 1.7 - j)]),
          ]),
        ) as TF.Scalar;
      const got = tf.variableGrads(() => loss(net.superkernels(drop).layers), vars);
      const want = tf.variableGrads(() => loss(reference(net, drop)), vars);
      tf.tidy(() => {
        const a = net.superkernels(drop);
        const b = reference(net, drop);
        let ones = 0;
        let zeros = 0;
        b.forEach((r, i) => {
          for (const k of ['d5x5', 'd50c', 'd100c', 'dse'] as const) {
            const x = a.layers[i]!.indicators[k].dataSync()[0]!;
            assert.equal(x, r.indicators[k].dataSync()[0], `layer ${i} ${k}`);
            assert.equal(a.layers[i]!.applied[k].dataSync()[0], r.applied[k].dataSync()[0], `layer ${i} applied ${k}`);
            assert.equal(a.vectors[k].dataSync()[i], x, `vector ${k}[${i}]`);
            if (x === 1) ones++;
            else zeros++;
          }
          assert.ok(relDiff(a.layers[i]!.kernel, r.kernel) < 1e-6, `layer ${i} kernel`);
          assert.ok(relDiff(a.layers[i]!.channelMask, r.channelMask) < 1e-6, `layer ${i} channel mask`);
        });
        assert.ok(ones > 2 && zeros > 2, `both indicator values occur (${ones} ones, ${zeros} zeros)`);
      });
      for (const [name, v] of named) {
        const g = want.grads[v.name];
        const h = got.grads[v.name];
        if (!g) continue;
        assert.ok(h, `batched path has a gradient for ${name}`);
        const scale = Math.max(
          1e-3,
          tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!),
        );
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(g, h))).dataSync()[0]!);
        assert.ok(diff <= 1e-4 * scale, `gradient of ${name}: max diff ${diff} (scale ${scale})`);
      }
      tf.dispose([got.value, want.value, ...Object.values(got.grads), ...Object.values(want.grads), ...probes.flatMap((p) => [p.k, p.c])]);
    }
    net.dispose();
  });
}

test('runtime from indicator vectors equals the per-layer runtime tensor', () => {
  const layers = Array.from({ length: 7 }, (_, i) => ({
    k3e3: 1 + i / 10,
    k3e6: 2 + i / 7,
    k5e3: 1.5 + i / 9,
    k5e6: 3 + i / 5,
    ...(i % 3 ? { se: { e3: 0.1 * i, e6: 0.2 * i } } : {}),
  }));
  const table = { fixedMs: 12.5, layers };
  let s = 5;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 4; trial++) {
    const vals = layers.map(() => ({ d5x5: rnd(), d50c: trial ? rnd() : 1, d100c: rnd(), dse: Math.round(rnd()) }));
    const [a, b] = tf.tidy(() => [
      runtimeTensorFromVectors(tf, table, {
        d5x5: tf.tensor1d(vals.map((v) => v.d5x5)),
        d50c: tf.tensor1d(vals.map((v) => v.d50c)),
        d100c: tf.tensor1d(vals.map((v) => v.d100c)),
        dse: tf.tensor1d(vals.map((v) => v.dse)),
      }).dataSync()[0]!,
      runtimeTensor(
        tf,
        table,
        vals.map((v) => ({ d5x5: tf.scalar(v.d5x5), d50c: tf.scalar(v.d50c), d100c: tf.scalar(v.d100c), dse: tf.scalar(v.dse) })),
      ).dataSync()[0]!,
    ]);
    assert.ok(Math.abs(a - b) < 1e-5 * b, `trial ${trial}: ${a} vs ${b}`);
  }
});

test("'relative' norms of the nested groups (expansion, skip) do not jump when the kernel decision flips", () => {
  const net = new Supernet(tf, getPreset('cifar-tiny'), 2, 'relative');
  const norms = (t5: number) => {
    net.thresholds.forEach((t) => t.t5x5.assign(tf.scalar(t5)));
    return tf.tidy(() => {
      const r = net.superkernels();
      return { d5x5: Array.from(r.vectors.d5x5.dataSync()), n100c: Array.from(r.norms.d100c.dataSync()), n50c: Array.from(r.norms.d50c.dataSync()) };
    });
  };
  const k5 = norms(0);
  const k3 = norms(5); // every ring dropped: kernel 3x3
  assert.ok(k5.d5x5.every((d) => d === 1) && k3.d5x5.every((d) => d === 0));
  // at initialisation every group is at its initial norm, with either kernel size
  for (const n of [...k5.n100c, ...k3.n100c]) assert.ok(Math.abs(n - 1) < 1e-5, `n100c ${n}`);
  net.layout.searchable.forEach((l, i) => {
    if (l.skipAllowed) assert.ok(Math.abs(k3.n50c[i]! - 1) < 1e-5 && Math.abs(k5.n50c[i]! - 1) < 1e-5, `n50c layer ${i}`);
  });
  net.dispose();
});

test('thresholdOnly indicators: same values, and a gradient that reaches the thresholds (as the full path) but not the weights', () => {
  const space = getPreset('cifar-tiny');
  const net = new Supernet(tf, space, 3, 'relative');
  // margins near zero so the surrogate slope is large
  net.thresholds.forEach((t) => [t.t5x5, t.t100c, t.t50c, t.tse].forEach((v) => v?.assign(tf.scalar(0.97))));
  const coef = tf.tensor1d(net.layout.searchable.map((_, i) => 1 + i));
  const f = (v: { d5x5: TF.Tensor; d50c: TF.Tensor; d100c: TF.Tensor; dse: TF.Tensor }) =>
    tf.sum(tf.mul(coef, tf.addN([v.d5x5, tf.mul(v.d50c, 2), tf.mul(v.d100c, 3), tf.mul(v.dse, 4)]))) as TF.Scalar;
  const vars = [...net.params.trainable].map(([, v]) => v);
  const full = tf.variableGrads(() => f(net.superkernels().vectors), vars);
  const only = tf.variableGrads(() => f(net.superkernels(undefined, true).thresholdOnly!), vars);
  assert.equal(full.value.dataSync()[0], only.value.dataSync()[0]);
  const thresholdIds = new Set(net.thresholds.flatMap((t) => Object.values(t).map((v) => (v as TF.Variable).name)));
  let weightGrads = 0;
  for (const [name, v] of net.params.trainable) {
    const g = only.grads[v.name];
    if (thresholdIds.has(v.name)) {
      assert.ok(
        g && Math.abs(g.dataSync()[0]! - full.grads[v.name]!.dataSync()[0]!) <= 1e-6 * Math.abs(full.grads[v.name]!.dataSync()[0]!) + 1e-9,
        `threshold ${name}`,
      );
    } else if (g) {
      assert.equal(
        tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]),
        0,
        `weight ${name} gets no gradient`,
      );
      if (full.grads[v.name] && tf.tidy(() => tf.max(tf.abs(full.grads[v.name]!)).dataSync()[0]!) > 0) weightGrads++;
    }
  }
  assert.ok(weightGrads > 0, 'the full path does move weights (the test is not vacuous)');
  tf.dispose([coef, full.value, only.value, ...Object.values(full.grads), ...Object.values(only.grads)]);
  net.dispose();
});
