import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleTable, type RawProfile } from '../../src/latency/assemble-table';
import { errorStats, predictionReport } from '../../src/latency/prediction-error';
import { quantile, reduceSamples } from '../../src/latency/statistic';
import { mulberry32, sampleArchitectures } from '../../src/latency/sample-architectures';
import { getPreset } from '../../src/space/presets';
import { parseArchitecture } from '../../src/space/architecture';

const head = { space: 's', device: 'd', meta: { batch: 1 } };

test("assembleTable subtracts each layer's call overhead, keeps one overhead in fixedMs, averages SE over kernels", () => {
  const raw: RawProfile = {
    frontMs: 3,
    frontOverheadMs: 0.2,
    backMs: 2,
    callOverheadMs: 0.1,
    layers: [
      {
        plain: { k3e3: 1.2, k3e6: 2.2, k5e3: 1.7, k5e6: 3.2 },
        se: { k3e3: 1.6, k3e6: 2.9, k5e3: 2.3, k5e6: 3.7 },
        overheadMs: 0.2,
      },
    ],
  };
  const { table, floored } = assembleTable(raw, head);
  assert.deepEqual(floored, []);
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);
  // front without its own overhead + back with its overhead (the one a whole network pays).
  close(table.fixedMs, 3 - 0.2 + 2);
  const r = table.layers[0]!;
  close(r.k3e3, 1.0);
  close(r.k3e6, 2.0);
  close(r.k5e3, 1.5);
  close(r.k5e6, 3.0);
  close(r.se!.e3, (0.4 + 0.6) / 2);
  close(r.se!.e6, (0.7 + 0.5) / 2);
  assert.equal(table.unit, 'ms');
  assert.equal(table.meta?.callOverheadMs, 0.1);
});

test('assembleTable floors costs that vanish into the overhead (noise) and reports them', () => {
  const raw: RawProfile = {
    frontMs: 1,
    frontOverheadMs: 0.1,
    backMs: 1,
    callOverheadMs: 0.1,
    layers: [{ plain: { k3e3: 0.05, k3e6: 1, k5e3: 1, k5e6: 1 }, se: { k3e3: 0.04, k3e6: 1, k5e3: 0.9, k5e6: 1 }, overheadMs: 0.1 }],
  };
  const { table, floored } = assembleTable(raw, head);
  assert.equal(table.layers[0]!.k3e3, 0.001);
  assert.equal(table.layers[0]!.se!.e3, 0.001);
  assert.deepEqual(
    floored.map((f) => f.split(':')[0]),
    ['layers[0].k3e3', 'layers[0].se.e3', 'layers[0].se.e6'],
  );
});

test('quantile and statistics: median, p10, min with interpolation', () => {
  assert.equal(quantile([5, 1, 3], 0.5), 3);
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.1), 2);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.deepEqual(
    reduceSamples(
      [
        [3, 1, 2],
        [10, 30, 20],
      ],
      'min',
    ),
    [1, 10],
  );
  assert.deepEqual(
    reduceSamples(
      [
        [3, 1, 2],
        [10, 30, 20],
      ],
      'median',
    ),
    [2, 20],
  );
  assert.deepEqual(
    reduceSamples(
      [
        [3, 1, 8],
        [10, 30, 20],
      ],
      'mean',
    ),
    [4, 20],
  );
});

test('errorStats: median |error|, signed mean, max and the fraction within +-10%', () => {
  const s = errorStats([110, 95, 150, 100], [100, 100, 100, 100]);
  assert.ok(Math.abs(s.medianAbsErrPct - 7.5) < 1e-9, String(s.medianAbsErrPct));
  assert.ok(Math.abs(s.meanErrPct - 13.75) < 1e-9);
  assert.ok(Math.abs(s.maxAbsErrPct - 50) < 1e-9);
  assert.equal(s.within10, 0.75);
  const r = predictionReport([{ arch: 'a', measuredMs: 10, predictedMs: 12, formulaMs: 10.5 }]);
  assert.equal(r.count, 1);
  assert.ok(Math.abs(r.exact.meanErrPct - 20) < 1e-9);
  assert.ok(Math.abs(r.formula.meanErrPct - 5) < 1e-9);
});

test('sampleArchitectures: seeded, valid for the space, covers skip and SE', () => {
  const space = getPreset('cifar');
  const a = sampleArchitectures(space, 30, 5);
  assert.deepEqual(a, sampleArchitectures(space, 30, 5));
  assert.notDeepEqual(a, sampleArchitectures(space, 30, 6));
  for (const arch of a) parseArchitecture(space, arch);
  const ops = a.flatMap((x) => x.layers);
  assert.ok(ops.some((o) => o.op === 'skip'));
  assert.ok(ops.some((o) => o.op === 'mbconv' && o.se));
  const r = mulberry32(1);
  const xs = Array.from({ length: 1000 }, r);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
