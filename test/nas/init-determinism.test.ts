import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { architectureFromString } from '../../src/space/architecture';
import { buildChild } from '../../src/nas/child-builder';
import { namedModelVariables } from '../../src/nas/train-child';
import { Supernet } from '../../src/nas/supernet';

const { tf } = loadTf();
const space = getPreset('cifar-tiny');

// TF.js draws from Math.random when an initializer's seed is 0 (falsy): seed 0 must still be reproducible.
for (const seed of [0, 1, 7]) {
  test(`child built twice with seed ${seed} has identical initial weights`, () => {
    const arch = architectureFromString(space, 'k5e6+se,skip,k3e3,k3e6,k5e3');
    const [a, b] = [buildChild(tf, space, arch, { seed }), buildChild(tf, space, arch, { seed })];
    const wb = new Map(namedModelVariables(b).map(([n, v]) => [n, v.dataSync()]));
    for (const [n, v] of namedModelVariables(a)) assert.deepEqual(v.dataSync(), wb.get(n), n);
    a.dispose();
    b.dispose();
  });

  test(`supernet built twice with seed ${seed} has identical initial weights`, () => {
    const [a, b] = [new Supernet(tf, space, seed, 'relative'), new Supernet(tf, space, seed, 'relative')];
    const wb = new Map(b.params.all().map(([n, v]) => [n, v.dataSync()]));
    for (const [n, v] of a.params.all()) assert.deepEqual(v.dataSync(), wb.get(n), n);
    a.dispose();
    b.dispose();
  });
}

test('different seeds give different initial weights', () => {
  const [a, b] = [new Supernet(tf, space, 0, 'relative'), new Supernet(tf, space, 1, 'relative')];
  const wb = new Map(b.params.all().map(([n, v]) => [n, v.dataSync()]));
  const differing =
    a.params.trainable.size && [...a.params.trainable].filter(([n, v]) => n.endsWith('kernel') && !v.dataSync().every((x, i) => x === wb.get(n)![i])).length;
  assert.ok(differing > 0);
  a.dispose();
  b.dispose();
});
