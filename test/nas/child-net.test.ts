import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { architectureFromString } from '../../src/space/architecture';
import { buildChild } from '../../src/nas/child-builder';
import { ChildNet } from '../../src/nas/child-net';
import { namedModelVariables } from '../../src/nas/train-child';

const { tf } = loadTf();

test('the functional child (fast training path) computes exactly what its tf.layers model computes', () => {
  const space = getPreset('cifar-tiny');
  const arch = architectureFromString(space, 'k5e6+se,skip,k3e3,k3e6+se,k5e3');
  const model = buildChild(tf, space, arch, { seed: 4 });
  // non-trivial BN statistics, so an unused or misnamed moving statistic shows
  for (const [name, v] of namedModelVariables(model)) {
    if (name.endsWith('/moving_variance')) v.assign(tf.randomUniform(v.shape, 0.5, 2, 'float32', 1));
    if (name.endsWith('/moving_mean') || name.endsWith('/beta')) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 2));
  }
  const trainable = new Set(model.trainableWeights.map((w) => (w.read() as TF.Variable).name));
  const net = new ChildNet(
    tf,
    space,
    arch,
    namedModelVariables(model).map(([name, variable]) => ({ name, variable, trainable: trainable.has(variable.name) })),
  );
  assert.equal(net.params.trainable.size, model.trainableWeights.length, 'every trainable weight is adopted');
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 3) as TF.Tensor4D;
  const diff = tf.tidy(() => {
    const a = net.forward(x, { training: false }).logits;
    const b = model.predict(x) as TF.Tensor;
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!;
  });
  assert.ok(diff < 1e-4, `relative max diff ${diff}`);
  model.dispose();
  x.dispose();
});
