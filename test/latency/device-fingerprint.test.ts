import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameDevice, tableCacheKey, type DeviceFingerprint } from '../../src/latency/device-fingerprint';
import { latencyShape } from '../../src/latency/default-tables';
import { tableAccuracy } from '../../src/latency/prediction-error';
import { getPreset } from '../../src/space/presets';
import { addTableFit, emptyTableFit, tableFitSummary } from '../../src/study/table-fit';

const here: DeviceFingerprint = { backend: 'tensorflow cpu', cpu: 'Intel Xeon', threads: 2, tfjs: '4.22.0', libtensorflow: '2.9.1' };
const tiny = getPreset('cifar-tiny');
const key = (fp: DeviceFingerprint, space = tiny) => tableCacheKey(fp, space.name, latencyShape(space));

test('the table cache key changes when the backend, the thread count, a library or the space does, and only then', () => {
  assert.equal(key(here), key({ ...here }), 'same device, same key');
  assert.equal(
    key(here),
    key({ libtensorflow: '2.9.1', tfjs: '4.22.0', threads: 2, cpu: 'Intel Xeon', backend: 'tensorflow cpu' }),
    'field order does not matter',
  );
  const others: DeviceFingerprint[] = [
    { ...here, backend: 'cpu' },
    { ...here, backend: 'tensorflow gpu', gpu: 'Tesla T4' },
    { ...here, threads: 1 },
    { ...here, tfjs: '4.21.0' },
    { ...here, libtensorflow: '2.10.0' },
    { ...here, cpu: 'AMD EPYC 7B13' },
  ];
  for (const o of others) {
    assert.notEqual(key(o), key(here), JSON.stringify(o));
    assert.equal(sameDevice(here, o), false);
  }
  assert.notEqual(key(here, getPreset('cifar-small')), key(here), 'another space, another table');
  assert.match(key(here), /^cifar-tiny-[0-9a-f]{16}$/);
  assert.equal(sameDevice(here, undefined), false, 'a table without a fingerprint is from an unknown device');
});

test("a study's bounded table-fit tally agrees with the exact statistics", () => {
  const pairs = [0.95, 1.02, 1.08, 1.15, 0.7, 1.0, 1.3].map((r, i) => ({ measuredMs: 10 + i, predictedMs: (10 + i) * r }));
  const exact = tableAccuracy(pairs)!;
  const fit = emptyTableFit();
  for (const p of pairs) addTableFit(fit, p.predictedMs, p.measuredMs);
  const tally = tableFitSummary(JSON.parse(JSON.stringify(fit)))!;
  assert.equal(tally.count, 7);
  assert.equal(tally.within10, exact.within10);
  assert.equal(exact.within10, 4 / 7);
  assert.ok(Math.abs(tally.medianAbsErrPct - exact.medianAbsErrPct) <= 0.25, `${tally.medianAbsErrPct} vs ${exact.medianAbsErrPct}`);
  assert.equal(tableFitSummary(emptyTableFit()), undefined);
});
