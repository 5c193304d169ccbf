import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../src/backend/tf';

test('native backend is libtensorflow and trains a small conv net (loss decreases)', () => {
  const { tf, kind, name } = loadTf();
  assert.equal(name, 'tensorflow', 'native backend must be active; run scripts/install-native-tf.sh');
  assert.notEqual(kind, 'js');
  const before = tf.memory().numTensors;
  const x = tf.randomNormal([16, 8, 8, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  const opt = tf.train.adam(0.05);
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as ReturnType<typeof tf.zeros>), true) as ReturnType<typeof tf.scalar>;
    losses.push(l.dataSync()[0]!);
    l.dispose();
  }
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[losses.length - 1]! < losses[0]! * 0.7, `loss should decrease: ${losses[0]} -> ${losses.at(-1)}`);
  model.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
  assert.ok(tf.memory().numTensors <= before + 1, 'no tensor leaks beyond the optimizer iteration counter');
});
