import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { getPreset, PRESET_NAMES } from '../../src/space/presets';
import { parseSearchSpace } from '../../src/space/spec';
import { layoutOf } from '../../src/space/layers';
import { architectureFromString, architectureToString, parseArchitecture, largestArchitecture } from '../../src/space/architecture';
import { architectureMacs } from '../../src/space/flops';
import { InvalidInputError } from '../../src/errors';
import { Supernet } from '../../src/nas/supernet';
import { applyBatchStats } from '../../src/nas/functional-ops';

test("the mobilenetv2-imagenet preset is the paper's space: 20 searchable layers, 15 may skip, resolutions 56/28/14/14/7", () => {
  const s = getPreset('mobilenetv2-imagenet');
  const lay = layoutOf(s);
  assert.equal(lay.searchable.length, 20);
  assert.equal(lay.searchable.filter((l) => l.skipAllowed).length, 15);
  assert.deepEqual(
    [0, 4, 8, 12, 16].map((i) => lay.searchable[i]!.outSize),
    [56, 28, 14, 14, 7],
  );
  assert.deepEqual(
    [0, 4, 8, 12, 16].map((i) => `${lay.searchable[i]!.inChannels}->${lay.searchable[i]!.outChannels}`),
    ['16->24', '24->40', '40->80', '80->96', '96->192'],
  );
  assert.equal(lay.headInChannels, 320);
  // space size 5^15 * 4^5 ~ 3.1e13 (the doc's figure)
  assert.ok(Math.abs(5 ** 15 * 4 ** 5 - 3.1e13) / 3.1e13 < 0.02);
});

test('specs with impossible shapes or bad fields are rejected, naming every field', () => {
  const base = structuredClone(getPreset('cifar-tiny')) as Record<string, unknown>;
  assert.throws(
    () => parseSearchSpace({ ...base, inputSize: 33 }),
    (e: unknown) => e instanceof InvalidInputError && /stem\.stride: stride 2 on an odd 33x33/.test(e.message),
  );
  assert.throws(
    () => parseSearchSpace({ ...base, numClasses: 1, stages: [], bogus: 1 }),
    (e: unknown) => e instanceof InvalidInputError && /numClasses/.test(e.message) && /stages/.test(e.message) && /bogus/.test(e.message),
  );
  assert.throws(() => parseSearchSpace({ ...base, normalization: { mean: [0, 0, 0], std: [1, 0, 1] } }), /normalization\.std\[1\]/);
  assert.throws(() => getPreset('cifar100'), /unknown search-space preset 'cifar100'.*mobilenetv2-imagenet/);
});

test('architectures round-trip through JSON and the string codec, and invalid ones are named', () => {
  const s = getPreset('cifar-tiny');
  const a = architectureFromString(s, 'k5e6+se,skip,k3e3,k3e6,k5e3+se');
  assert.equal(architectureToString(parseArchitecture(s, JSON.parse(JSON.stringify(a)))), 'k5e6+se,skip,k3e3,k3e6,k5e3+se');
  assert.throws(() => architectureFromString(s, 'skip,k3e3,k3e3,k3e3,k3e3'), /layers\[0\]: skip is not allowed here/);
  assert.throws(() => architectureFromString(s, 'k3e3,k3e3'), /2 layers given, space 'cifar-tiny' has 5/);
  assert.throws(() => architectureFromString(s, 'k7e3,k3e3,k3e3,k3e3,k3e3'), /unknown layer op 'k7e3'/);
  assert.throws(() => architectureFromString(getPreset('mobilenetv2-imagenet'), Array(20).fill('k3e3+se').join(',')), /no searchable SE/);
});

test('MACs: the largest cifar child costs more than all-k3e3, and skip costs nothing', () => {
  const s = getPreset('cifar-tiny');
  const big = architectureMacs(s, largestArchitecture(s));
  const small = architectureMacs(s, architectureFromString(s, 'k3e3,skip,k3e3,skip,k3e3'));
  assert.ok(big.total > small.total);
  assert.equal(small.layers[1], 0);
  assert.equal(big.fixed, small.fixed);
});

for (const name of PRESET_NAMES) {
  test(`preset '${name}': the supernet runs forward and backward with finite gradients for every variable`, () => {
    const { tf } = loadTf();
    const s = getPreset(name);
    const net = new Supernet(tf, s, 0);
    const vars = [...net.params.trainable.values()];
    const x = tf.randomNormal([2, s.inputSize, s.inputSize, 3]) as TF.Tensor4D;
    let stats: ReturnType<Supernet['forward']>['batchStats'] = [];
    const ok = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const f = net.forward(x, { training: true });
        stats = f.batchStats;
        assert.deepEqual(f.logits.shape, [2, s.numClasses]);
        return tf.mean(f.logits) as TF.Scalar;
      }, vars);
      const finite = Object.values(grads).every((g) => tf.all(tf.isFinite(g)).dataSync()[0] === 1);
      return Number.isFinite(value.dataSync()[0]!) && finite && Object.keys(grads).length === vars.length;
    });
    applyBatchStats(tf, net.params, stats, 0.99);
    assert.ok(ok, 'finite loss and a finite gradient for every trainable variable');
    x.dispose();
    net.dispose();
  });
}
