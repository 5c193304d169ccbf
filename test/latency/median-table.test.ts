/**
 * A fresh table is the entry-wise median of a few profiles, each first scaled to one speed: a profile
 * that ran faster throughout changes nothing, and one layer put out of proportion by one profile of
 * three (the 7 Dec case: a layer's 3x3 entries above its 5x5 ones) is outvoted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaleTable } from '../../src/latency/calibrate-table';
import { defaultTableFor } from '../../src/latency/default-tables';
import { parseLatencyTableFor, type LatencyTable } from '../../src/latency/latency-table';
import { medianTable } from '../../src/latency/median-table';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { sampleArchitectures } from '../../src/latency/sample-architectures';
import { architectureToString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';

const space = getPreset('cifar-small');
const table = defaultTableFor(space);
const archs = sampleArchitectures(space, 40, 5);
const close = (a: number, b: number) => Math.abs(a / b - 1) < 1e-9;

/** `t` with layer 0's 3x3 entries raised by `x`: the shape defect of one idle profile. */
function outOfShape(t: LatencyTable, x: number): LatencyTable {
  const [first, ...rest] = t.layers;
  return { ...t, layers: [{ ...first!, k3e3: first!.k3e3 * x, k3e6: first!.k3e6 * x }, ...rest] };
}

test('one profile of three out of proportion is outvoted; a faster profile only changes the speed, which is scaled out', () => {
  const bad = outOfShape(table, 2);
  // the defect moves some networks' predictions by more than 5% (7 Dec: 7-8% for a 3x3 first layer)
  assert.ok(archs.some((a) => predictArchitectureLatencyExact(bad, a) / predictArchitectureLatencyExact(table, a) > 1.05));
  const m = medianTable([table, scaleTable(table, 0.8), bad], space);
  for (const a of archs) assert.ok(close(predictArchitectureLatencyExact(m, a), predictArchitectureLatencyExact(table, a)), architectureToString(a));
  assert.equal(m.meta?.profiles, 3);
  // it is a valid table of the space, the count recorded
  assert.deepEqual(parseLatencyTableFor(space, JSON.parse(JSON.stringify(m))), JSON.parse(JSON.stringify(m)));
  // two of three out of proportion win: the median is a vote, not a repair
  const lost = medianTable([table, bad, outOfShape(table, 1.8)], space);
  assert.ok(!close(lost.layers[0]!.k3e3, table.layers[0]!.k3e3));
});

test('one profile is the table; tables of another space are refused', () => {
  assert.equal(medianTable([table], space), table);
  assert.throws(() => medianTable([], space), /no tables/);
  const other = { ...table, layers: table.layers.slice(1) };
  assert.throws(() => medianTable([table, other], space), /different spaces/);
});
