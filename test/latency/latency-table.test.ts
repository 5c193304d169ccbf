import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPreset, PRESET_NAMES } from '../../src/space/presets';
import { parseSearchSpace } from '../../src/space/spec';
import { layoutOf } from '../../src/space/layers';
import { SpnasError } from '../../src/errors';
import { checkTableForSpace, parseLatencyTable, parseLatencyTableFor } from '../../src/latency/latency-table';
import { pixel1Table, PIXEL1_FIXED_MS } from '../../src/latency/pixel1-table';
import { defaultTableFor, SHIPPED_TABLE_SPACES } from '../../src/latency/default-tables';

const row = { k3e3: 1, k3e6: 2, k5e3: 1.5, k5e6: 3 };
const tiny = getPreset('cifar-tiny');
const nTiny = layoutOf(tiny).searchable.length;
const tinyTable = (rows: unknown[] = Array.from({ length: nTiny }, () => ({ ...row, se: { e3: 0.1, e6: 0.2 } }))) => ({
  space: 'cifar-tiny',
  device: 'test',
  unit: 'ms',
  fixedMs: 2,
  layers: rows,
});

const invalid = (re: RegExp) => (err: unknown) => err instanceof SpnasError && err.code === 'INVALID_INPUT' && re.test(err.message);

test('schema rejects non-positive, non-finite and missing latencies, naming each field', () => {
  const bad = tinyTable([
    { ...row, k5e6: 0 },
    { ...row, k3e3: -1 },
    { k3e3: 1, k3e6: 2, k5e3: 1 },
    { ...row, k3e6: Infinity },
    { ...row, se: { e3: 0.1 } },
  ]);
  assert.throws(
    () => parseLatencyTable(bad),
    (err: unknown) => {
      const m = (err as Error).message;
      for (const f of ['layers[0].k5e6', 'layers[1].k3e3', 'layers[2].k5e6', 'layers[3].k3e6', 'layers[4].se.e6'])
        assert.ok(m.includes(f), `message names ${f}:\n${m}`);
      return invalid(/invalid latency table/)(err);
    },
  );
  assert.throws(() => parseLatencyTable({ ...tinyTable(), unit: 'us' }), invalid(/unit/));
  assert.throws(() => parseLatencyTable({ ...tinyTable(), fixedMs: NaN }), invalid(/fixedMs/));
  assert.throws(() => parseLatencyTable({ ...tinyTable(), extra: 1 }), invalid(/extra/));
});

test('a table must have one row per searchable layer of the space', () => {
  assert.equal(parseLatencyTableFor(tiny, tinyTable()).layers.length, nTiny);
  assert.throws(
    () => parseLatencyTableFor(tiny, tinyTable(Array.from({ length: nTiny + 1 }, () => ({ ...row, se: { e3: 1, e6: 1 } })))),
    invalid(/6 rows, but space 'cifar-tiny' has 5 searchable layers[\s\S]*spnas profile/),
  );
  assert.throws(() => checkTableForSpace(pixel1Table(), tiny), invalid(/table is for 'mobilenetv2-imagenet', not 'cifar-tiny'/));
});

test('SE costs are required on every row when the space has searchable SE; the error names the row and the fix', () => {
  const rows = tinyTable().layers.map((r, i) => (i === 2 ? { ...row } : r));
  assert.throws(
    () => parseLatencyTableFor(tiny, tinyTable(rows)),
    invalid(/layers\[2\]\.se: missing SE costs \(row 3\)[\s\S]*spnas profile --space cifar-tiny/),
  );
});

test('the Pixel-1 table fits mobilenetv2-imagenet: 20 rows, fixed 19.5999 ms, no SE', () => {
  const space = getPreset('mobilenetv2-imagenet');
  const t = parseLatencyTableFor(space, pixel1Table());
  assert.equal(t.layers.length, 20);
  assert.equal(t.fixedMs, PIXEL1_FIXED_MS);
  assert.equal(t.fixedMs, 19.5999);
  assert.deepEqual(t.layers[0], { k3e3: 4.49, k3e6: 9.201, k5e3: 5.925, k5e6: 11.589 });
  assert.deepEqual(t.layers[19], { k3e3: 2.438, k3e6: 4.922, k5e3: 2.665, k5e6: 5.41 });
  assert.ok(t.layers.every((r) => r.se === undefined));
});

test('defaultTableFor: every preset ships a valid table (Pixel-1 for ImageNet, profiled ones for CIFAR)', () => {
  assert.deepEqual([...SHIPPED_TABLE_SPACES].sort(), [...PRESET_NAMES].sort());
  for (const name of PRESET_NAMES) {
    const space = getPreset(name);
    const t = defaultTableFor(space);
    assert.equal(t.space, name);
    assert.equal(t.layers.length, layoutOf(space).searchable.length);
    assert.equal(
      t.layers.every((r) => r.se !== undefined),
      space.search.se,
      `${name}: SE columns iff searchable SE`,
    );
  }
  assert.equal(defaultTableFor(getPreset('mobilenetv2-imagenet')).device, 'pixel1');
  const a = defaultTableFor(tiny);
  a.fixedMs = 1e9;
  assert.notEqual(defaultTableFor(tiny).fixedMs, 1e9, 'each call returns a fresh copy');
});

test('defaultTableFor refuses unknown spaces and specs that only reuse a preset name, pointing at spnas profile', () => {
  const input = structuredClone({ ...getPreset('cifar-tiny') }) as Record<string, unknown>;
  assert.throws(
    () => defaultTableFor(parseSearchSpace({ ...input, name: 'my-space' })),
    invalid(/no latency table ships for search space 'my-space'[\s\S]*spnas profile/),
  );
  const wider = parseSearchSpace({
    ...input,
    stages: [
      { out: 8, stride: 1, layers: 2 },
      { out: 32, stride: 2, layers: 2 },
      { out: 24, stride: 2, layers: 1 },
    ],
  });
  assert.throws(() => defaultTableFor(wider), invalid(/differs from the built-in preset[\s\S]*spnas profile/));
  // Normalisation and dropout do not change latency: the shipped table still applies.
  const renormed = parseSearchSpace({ ...input, normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, head: { filters: 64, dropout: 0.3 } });
  assert.equal(defaultTableFor(renormed).space, 'cifar-tiny');
});
