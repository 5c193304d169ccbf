/**
 * A table scaled to its reference keeps its shape: every prediction scales by one factor, so the
 * search's trade-offs (ratios between candidates) are unchanged and the largest network is predicted
 * at the reference latency.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateTable, scaleTable } from '../../src/latency/calibrate-table';
import { defaultTableFor } from '../../src/latency/default-tables';
import { parseLatencyTableFor } from '../../src/latency/latency-table';
import { predictArchitectureLatency, predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { sampleArchitectures } from '../../src/latency/sample-architectures';
import { largestArchitecture } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';

const space = getPreset('cifar-small');
const table = defaultTableFor(space);
const archs = sampleArchitectures(space, 20, 3);

test('scaleTable multiplies every prediction (exact lookup and the differentiable formula) by the factor', () => {
  const s = scaleTable(table, 0.8);
  for (const a of archs) {
    assert.ok(Math.abs(predictArchitectureLatencyExact(s, a) / predictArchitectureLatencyExact(table, a) - 0.8) < 1e-12);
    assert.ok(Math.abs(predictArchitectureLatency(s, a) / predictArchitectureLatency(table, a) - 0.8) < 1e-12);
  }
  assert.notEqual(s.layers[0], table.layers[0], 'a copy: the input is not changed');
  assert.throws(() => scaleTable(table, 0), /factor must be positive and finite, got 0/);
  assert.throws(() => scaleTable(table, Number.NaN), /factor must be positive and finite/);
});

test('calibrateTable predicts the largest network at the reference, records the factor, and still parses', () => {
  const raw = predictArchitectureLatencyExact(table, largestArchitecture(space));
  const c = calibrateTable(table, space, 25);
  assert.ok(Math.abs(predictArchitectureLatencyExact(c, largestArchitecture(space)) - 25) < 1e-9);
  assert.deepEqual(c.meta?.calibration, { factor: 25 / raw, referenceMs: 25, predictedMs: raw });
  assert.deepEqual(parseLatencyTableFor(space, JSON.parse(JSON.stringify(c))), JSON.parse(JSON.stringify(c)));
  // ratios between networks, which the runtime term trades on, are unchanged
  const [a, b] = [archs[0]!, archs[1]!];
  const before = predictArchitectureLatencyExact(table, a) / predictArchitectureLatencyExact(table, b);
  assert.ok(Math.abs(predictArchitectureLatencyExact(c, a) / predictArchitectureLatencyExact(c, b) - before) < 1e-12);
});
