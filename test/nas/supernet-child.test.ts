import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { architectureToString, type Architecture, type LayerOp } from '../../src/space/architecture';
import { Supernet } from '../../src/nas/supernet';
import { applyBatchStats, type BatchStat } from '../../src/nas/functional-ops';
import { deriveArchitecture } from '../../src/nas/derive';
import { buildChild } from '../../src/nas/child-builder';
import { childWeightsFromSupernet, setModelWeightsByName } from '../../src/nas/child-weights';

const { tf } = loadTf();
const ON = -1e9;
const OFF = 1e9;

/** Sets thresholds so that the supernet's indicators select `arch`. */
function selectArchitecture(net: Supernet, arch: Architecture): void {
  arch.layers.forEach((op, i) => {
    const t = net.thresholds[i]!;
    t.t50c?.assign(tf.scalar(op.op === 'skip' ? OFF : ON));
    t.t5x5.assign(tf.scalar(op.op === 'mbconv' && op.kernel === 5 ? ON : OFF));
    t.t100c.assign(tf.scalar(op.op === 'mbconv' && op.expansion === 6 ? ON : OFF));
    t.tse?.assign(tf.scalar(op.op === 'mbconv' && op.se ? ON : OFF));
  });
}

/** Non-trivial BN state, so a leak of BN beta or stats through a masked path would show. */
function randomiseBn(net: Supernet, seed: number): void {
  let s = seed;
  for (const [name, v] of net.params.all()) {
    if (!/_bn\//.test(name)) continue;
    const n = v.shape[0]!;
    if (name.endsWith('/moving_variance')) v.assign(tf.randomUniform([n], 0.5, 2, 'float32', s++));
    else if (name.endsWith('/gamma')) v.assign(tf.randomUniform([n], 0.5, 1.5, 'float32', s++));
    else v.assign(tf.randomNormal([n], 0, 0.5, 'float32', s++));
  }
}

function randomArchitecture(net: Supernet, rnd: () => number): Architecture {
  const layers: LayerOp[] = net.layout.searchable.map((l) => {
    if (l.skipAllowed && rnd() < 0.25) return { op: 'skip' };
    return { op: 'mbconv', kernel: rnd() < 0.5 ? 3 : 5, expansion: rnd() < 0.5 ? 3 : 6, se: net.space.search.se && rnd() < 0.5 };
  });
  return { space: net.space.name, layers };
}

test('a derived child reproduces the supernet eval-mode outputs at fixed indicators (every op, with and without SE)', () => {
  const space = getPreset('cifar-tiny');
  const net = new Supernet(tf, space, 1);
  randomiseBn(net, 100);
  const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 5) as TF.Tensor4D;
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const archs: Architecture[] = [];
  for (const op of ['k3e3', 'k3e6', 'k5e3', 'k5e6'] as const) {
    for (const se of [false, true]) {
      archs.push({
        space: space.name,
        layers: net.layout.searchable.map(() => ({ op: 'mbconv' as const, kernel: Number(op[1]) as 3 | 5, expansion: Number(op[3]) as 3 | 6, se })),
      });
    }
  }
  for (let i = 0; i < 6; i++) archs.push(randomArchitecture(net, rnd));
  assert.ok(
    archs.some((a) => a.layers.some((l) => l.op === 'skip')),
    'the cases include skipped layers',
  );
  for (const arch of archs) {
    selectArchitecture(net, arch);
    assert.equal(architectureToString(deriveArchitecture(tf, net)), architectureToString(arch), 'derivation decodes the selected ops');
    const child = buildChild(tf, space, arch, { seed: 3 });
    const weights = childWeightsFromSupernet(tf, net, arch);
    setModelWeightsByName(child, weights);
    weights.forEach((t) => t.dispose());
    const diff = tf.tidy(() => {
      const a = net.forward(x, { training: false }).logits;
      const b = child.predict(x) as TF.Tensor;
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1e-6, tf.max(tf.abs(b)).dataSync()[0]!);
    });
    assert.ok(diff < 1e-4, `${architectureToString(arch)}: relative max diff ${diff}`);
    child.dispose();
  }
  x.dispose();
  net.dispose();
});

test('the supernet trains: loss decreases on a fixed batch and no tensors leak', () => {
  const space = getPreset('cifar-tiny');
  const net = new Supernet(tf, space, 2);
  const x = tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 1) as TF.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  const opt = tf.train.adam(0.01);
  const vars = [...net.params.trainable.values()];
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  for (let i = 0; i < 15; i++) {
    let stats: BatchStat[] = [];
    const l = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const fwd = net.forward(x, { training: true });
        stats = fwd.batchStats;
        return tf.losses.softmaxCrossEntropy(y, fwd.logits) as TF.Scalar;
      }, vars);
      opt.applyGradients(grads as unknown as Record<string, TF.Variable>);
      return value;
    });
    applyBatchStats(tf, net.params, stats, 0.9);
    losses.push(l.dataSync()[0]!);
    l.dispose();
  }
  assert.ok(losses.at(-1)! < losses[0]! * 0.8, `loss ${losses[0]} -> ${losses.at(-1)}`);
  // adam creates its slots on the first step: 2 per variable + iteration counters
  assert.ok(tf.memory().numTensors - before <= 2 * vars.length + 4, `leaked ${tf.memory().numTensors - before} tensors`);
  opt.dispose();
  net.dispose();
});
