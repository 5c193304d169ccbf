import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors';
import { NAS_HPO_SPACE, Space, nasHyperparameterSpace } from '../../src/hpo';

const mixed = {
  x: { type: 'float', low: -2, high: 3 },
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  n: { type: 'int', low: 1, high: 8 },
  act: { type: 'categorical', choices: ['relu', 'swish', 'gelu'] },
} as const;

test('a bad space reports every error with its field path', () => {
  const bad = {
    lambda: { type: 'float', low: 0, high: 1, log: true },
    width: { type: 'int', low: 5, high: 2.5 },
    loss: { type: 'categorical', choices: ['a', 'a'], default: 'z' },
    epochs: { type: 'float', low: 1, high: 2, step: 3 },
    '9bad': { type: 'float', low: 0, high: 1 },
  };
  assert.throws(
    () => Space.from(bad),
    (e: unknown) => {
      assert.ok(e instanceof InvalidInputError);
      assert.equal(e.code, 'INVALID_SPACE');
      for (const path of ['space.lambda.low', 'space.width.high', 'space.loss.choices.1', 'space.loss.default', 'space.epochs', 'space.9bad']) {
        assert.ok(e.message.includes(path), `message names ${path}:\n${e.message}`);
      }
      assert.match(e.message, /must be > 0 for a log-scaled parameter/);
      return true;
    },
  );
  assert.throws(() => Space.from({}), /at least one parameter/);
  assert.throws(() => Space.from({ a: { type: 'float', low: 2, high: 1 } }), /space\.a\.high: must be greater than low/);
  assert.throws(() => Space.from({ a: { type: 'float', low: 0, high: Number.NaN } }), /space\.a\.high/);
});

test('features encode floats, log floats, ints and one-hot categoricals, and decode back exactly', () => {
  const s = Space.from(mixed);
  assert.deepEqual(s.names, ['act', 'lr', 'n', 'x']);
  assert.equal(s.featureDim, 6);
  const p = { x: 0.5, lr: 1e-3, n: 4, act: 'swish' };
  const f = s.toFeatures(p);
  assert.deepEqual(f.slice(0, 3), [0, 1, 0]);
  assert.ok(Math.abs(f[3]! - 1 / 3) < 1e-12, 'log scale: 1e-3 is a third of the way from 1e-4 to 1e-1');
  assert.ok(Math.abs(f[4]! - 3 / 7) < 1e-12);
  assert.ok(Math.abs(f[5]! - 0.5) < 1e-12);
  const back = s.fromFeatures(f);
  assert.equal(back.act, 'swish');
  assert.equal(back.n, 4);
  assert.ok(Math.abs((back.lr as number) - 1e-3) < 1e-15);
  assert.ok(Math.abs((back.x as number) - 0.5) < 1e-12);
  // Projection rounds ints and takes the arg-max one-hot.
  const proj = s.project([0.2, 0.3, 0.9, 0.5, 0.5, 0.5]);
  assert.deepEqual(proj.slice(0, 3), [0, 0, 1]);
  assert.ok(Math.abs(proj[4]! - 4 / 7) < 1e-12, 'int 4.5 rounds to 5');
  assert.throws(() => s.toFeatures({ ...p, act: 'tanh' }), /parameter act/);
  assert.throws(() => s.toFeatures({ ...p, x: 7 }), /parameter x/);
});

test('cube coordinates give every int and every choice an equal share', () => {
  const s = Space.from(mixed);
  const counts = new Map<string, number>();
  for (let i = 0; i < 8 * 3 * 10; i++) {
    const u = (i + 0.5) / 240;
    const p = s.fromCube([u, u, u, u]);
    counts.set(`n${p.n}`, (counts.get(`n${p.n}`) ?? 0) + 1);
    counts.set(`a${p.act}`, (counts.get(`a${p.act}`) ?? 0) + 1);
    assert.ok((p.lr as number) >= 1e-4 && (p.lr as number) <= 1e-1);
  }
  for (let n = 1; n <= 8; n++) assert.equal(counts.get(`n${n}`), 30);
  for (const a of ['relu', 'swish', 'gelu']) assert.equal(counts.get(`a${a}`), 80);
});

test('the NAS-hyperparameter space has the knobs of the study with valid defaults', () => {
  const s = Space.from(NAS_HPO_SPACE);
  assert.deepEqual(s.names, ['lambda', 'runtimeLoss', 'targetFraction', 'thresholdLrMultiplier', 'warmupFraction']);
  assert.deepEqual(s.defaults(), { lambda: 20, runtimeLoss: 'log', targetFraction: 0.7, thresholdLrMultiplier: 1, warmupFraction: 0.5 });
  assert.equal(s.spec.lambda!.type === 'float' && s.spec.lambda!.log, true);
  assert.deepEqual(nasHyperparameterSpace({ targetFraction: null }).names, ['lambda', 'runtimeLoss', 'thresholdLrMultiplier', 'warmupFraction']);
  assert.throws(() => nasHyperparameterSpace({ lambda: { type: 'float', low: -1, high: 1, log: true } }), /space\.lambda\.low/);
});
