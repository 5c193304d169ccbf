import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPreset } from '../../src/space/presets';
import { architectureFromString, uniformArchitecture } from '../../src/space/architecture';
import { pixel1Table } from '../../src/latency/pixel1-table';
import type { LatencyRow, LatencyTable } from '../../src/latency/latency-table';
import {
  indicatorsOf,
  layerLatencyExact,
  layerRuntime,
  predictArchitectureLatency,
  predictArchitectureLatencyExact,
  totalRuntime,
} from '../../src/latency/runtime-model';

const imagenet = getPreset('mobilenetv2-imagenet');
const pixel1 = pixel1Table();
const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} not within ${tol} of ${expected}`);

/** timm's spnasnet_100 (doc section 4): stage 1 has 3 layers, so its 4th searchable layer is a skip. */
const PUBLISHED_PIXEL1 = ['k3e3,k3e3,k3e3,skip', 'k5e6,k3e3,k3e3,k3e3', 'k5e6,k3e3,k3e3,k3e3', 'k5e6,k5e3,k5e3,k5e3', 'k5e6,k5e6,k5e6,k5e6'].join(',');

test('Pixel-1 anchor: all k5e6 = 131.5 ms (formula and lookup agree)', () => {
  const arch = uniformArchitecture(imagenet, { op: 'mbconv', kernel: 5, expansion: 6, se: false });
  close(predictArchitectureLatency(pixel1, arch), 131.5, 0.1, 'formula');
  close(predictArchitectureLatencyExact(pixel1, arch), 131.5, 0.1, 'lookup');
});

test('Pixel-1 anchor: all k3e3 ~65.6 ms is the formula value (k3e3 ~ k5e3 * rho); the k3e3 column gives 65.69', () => {
  const arch = uniformArchitecture(imagenet, { op: 'mbconv', kernel: 3, expansion: 3, se: false });
  const formula = predictArchitectureLatency(pixel1, arch);
  const exact = predictArchitectureLatencyExact(pixel1, arch);
  close(formula, 65.6, 0.05, 'formula');
  close(exact, 65.6889, 1e-6, 'lookup');
  assert.ok(Math.abs(exact - 65.6) > 0.05, 'the exact lookup should NOT round to the published 65.6');
});

test('Pixel-1 anchor: minimum (first layer of each stage k3e3, rest skip) ~30.8 ms with the formula', () => {
  const arch = architectureFromString(imagenet, Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 'k3e3' : 'skip')).join(','));
  close(predictArchitectureLatency(pixel1, arch), 30.8, 0.05, 'formula');
  close(predictArchitectureLatencyExact(pixel1, arch), 30.6309, 1e-6, 'lookup');
});

test('Pixel-1 anchor: the published architecture ~80.5 ms (formula 80.59, lookup 80.44)', () => {
  const arch = architectureFromString(imagenet, PUBLISHED_PIXEL1);
  close(predictArchitectureLatency(pixel1, arch), 80.5, 0.1, 'formula');
  close(predictArchitectureLatencyExact(pixel1, arch), 80.5, 0.1, 'lookup');
  close(predictArchitectureLatency(pixel1, arch), 80.5915, 1e-3, 'formula, hand-computed');
});

const row: LatencyRow = { k3e3: 1, k3e6: 3, k5e3: 2, k5e6: 5, se: { e3: 0.5, e6: 0.75 } };

test('layerRuntime at hard indicators: k3e6, k5e3, k5e6 exact, k3e3 = k5e3 * k3e6 / k5e6, skip = 0', () => {
  assert.equal(layerRuntime(row, { d5x5: 1, d50c: 1, d100c: 1 }), 5);
  assert.equal(layerRuntime(row, { d5x5: 1, d50c: 1, d100c: 0 }), 2);
  close(layerRuntime(row, { d5x5: 0, d50c: 1, d100c: 1 }), 3, 1e-12, 'k3e6');
  close(layerRuntime(row, { d5x5: 0, d50c: 1, d100c: 0 }), (2 * 3) / 5, 1e-12, 'k3e3 approximation');
  assert.equal(layerRuntime(row, { d5x5: 1, d50c: 0, d100c: 1, dse: 1 }), 0);
});

test('layerRuntime with fractional indicators equals the hand-computed formula', () => {
  // d5x5 0.3, d50c 0.8, d100c 0.6, dse 0.5:
  // Rc = 0.8 * (2 + 0.6 * 3) = 3.04; rho = 0.6; R = 3.04*0.6 + 3.04*0.4*0.3 = 1.824 + 0.3648 = 2.1888
  // SE = 0.5 * 0.8 * (0.5 + 0.6 * 0.25) = 0.26  -> 2.4488
  close(layerRuntime(row, { d5x5: 0.3, d50c: 0.8, d100c: 0.6, dse: 0.5 }), 2.4488, 1e-12, 'fractional');
  close(layerRuntime(row, { d5x5: 0.3, d50c: 0.8, d100c: 0.6 }), 2.1888, 1e-12, 'fractional, no SE');
});

test('totalRuntime = fixedMs + sum of layers; SE adds its expansion column; exact lookup adds se.e3/e6', () => {
  const table: LatencyTable = { space: 't', device: 'd', unit: 'ms', fixedMs: 10, layers: [row, { ...row, k5e6: 6 }] };
  const inds = [
    { d5x5: 1, d50c: 1, d100c: 1, dse: 1 },
    { d5x5: 0, d50c: 0, d100c: 1, dse: 1 },
  ];
  assert.equal(totalRuntime(table, inds), 10 + 5 + 0.75);
  assert.equal(layerLatencyExact(row, { op: 'mbconv', kernel: 3, expansion: 3, se: true }), 1.5);
  assert.equal(layerLatencyExact(row, { op: 'mbconv', kernel: 5, expansion: 6, se: true }), 5.75);
  assert.equal(layerLatencyExact(row, { op: 'skip' }), 0);
  assert.deepEqual(indicatorsOf({ op: 'mbconv', kernel: 3, expansion: 6, se: true }), { d5x5: 0, d50c: 1, d100c: 1, dse: 1 });
});

test('runtime model errors: wrong layer count, SE requested from a table without SE costs', () => {
  assert.throws(() => totalRuntime(pixel1, [{ d5x5: 1, d50c: 1, d100c: 1 }]), /1 layers but the latency table .* has 20 rows/);
  const noSe = { k3e3: 1, k3e6: 3, k5e3: 2, k5e6: 5 };
  assert.throws(() => layerRuntime(noSe, { d5x5: 1, d50c: 1, d100c: 1, dse: 1 }), /no SE costs; profile the space with `spnas profile`/);
  assert.throws(() => layerLatencyExact(noSe, { op: 'mbconv', kernel: 5, expansion: 6, se: true }), /spnas profile/);
});
