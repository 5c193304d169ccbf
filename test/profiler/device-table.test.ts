/**
 * The table belongs to the device (native TF, the tiny space, few repeats): a table from another
 * fingerprint is checked against whole networks measured here; one off by 2x is detected and
 * re-profiled, or refused by setting; the study's measured target binds although the table is off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpnasError } from '../../src/errors';
import type { LatencyTable } from '../../src/latency/latency-table';
import { scaleTable } from '../../src/latency/calibrate-table';
import { deviceCheckSchema } from '../../src/latency/table-check';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { selectForLatencyTarget } from '../../src/hpo/pareto';
import { largestArchitecture } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { objectiveTargetMs } from '../../src/study/latency-unit';
import { DEFAULT_PROFILES, deviceTable } from '../../src/usecases/device-table';
import { prepareStudy } from '../../src/usecases/prepare-study';
import { tempDir } from '../support/temp-dir';

const space = getPreset('cifar-tiny');
const cacheDir = tempDir('spnas-table-cache-');
const fast = { profile: { repeats: 3, samples: 0 }, cacheDir };
const check = (onMismatch: 'reprofile' | 'refuse' | 'accept') => deviceCheckSchema.parse({ onMismatch, networks: 3, repeats: 4 });

/** The device's own table, then a copy that says it is from another machine and predicts `factor` x. */
let own: LatencyTable;
function fromElsewhere(factor: number): LatencyTable {
  const t = scaleTable(own, factor);
  t.meta = { ...t.meta, fingerprint: { ...t.meta!.fingerprint!, cpu: 'another CPU', threads: 8 } };
  return t;
}

test('no cached table: profiled on the device, fingerprinted and cached; the next call reuses it without measuring', async () => {
  const first = await deviceTable({ space, check: check('reprofile'), ...fast });
  assert.equal(first.source, 'profiled');
  assert.deepEqual(first.table.meta?.fingerprint, first.fingerprint);
  // the median of DEFAULT_PROFILES profiles (median-table.ts), scaled to the reference
  assert.equal(first.table.meta?.profiles, DEFAULT_PROFILES);
  assert.ok(fs.existsSync(path.join(cacheDir, `${first.cacheKey}.json`)));
  own = first.table;
  const again = await deviceTable({ space, check: check('reprofile'), ...fast });
  assert.equal(again.source, 'cache');
  assert.deepEqual(again.table, first.table);
  // a table with this device's fingerprint is used as given, unchecked
  const same = await deviceTable({ space, given: { table: own, source: 'same' }, check: check('refuse'), ...fast });
  assert.equal(same.source, 'given');
  assert.equal(same.check, undefined);
});

test('a table from another fingerprint triggers the check against whole networks measured here', async () => {
  const r = await deviceTable({ space, given: { table: fromElsewhere(1), source: 'given table' }, check: check('accept'), ...fast });
  assert.ok(r.check, 'checked');
  assert.equal(r.check.accuracy.count, 3);
  assert.equal(r.check.tableDevice?.cpu, 'another CPU');
  assert.equal(r.source, 'given');
});

test('a table off by 2x on this device is detected and re-profiled, or refused by setting', async () => {
  const emptyCache = tempDir('spnas-table-cache-');
  const r = await deviceTable({
    space,
    given: { table: fromElsewhere(2), source: 'off-by-2x table' },
    check: check('reprofile'),
    ...fast,
    cacheDir: emptyCache,
  });
  assert.equal(r.check?.passed, false);
  assert.ok(r.check!.accuracy.ratio > 1.4, `predicted/measured ${r.check!.accuracy.ratio}`);
  assert.equal(r.check!.action, 'reprofiled');
  assert.equal(r.source, 'profiled');
  assert.deepEqual(r.table.meta?.fingerprint, r.fingerprint, "this device's table replaces it");
  await assert.rejects(
    deviceTable({ space, given: { table: fromElsewhere(2), source: 'off-by-2x table' }, check: check('refuse'), ...fast }),
    (err: unknown) =>
      err instanceof SpnasError &&
      err.code === 'LATENCY_TABLE_MISMATCH' &&
      !err.retryable &&
      /off-by-2x table/.test(err.message) &&
      /spnas profile/.test(err.message),
  );
});

test('a study whose table is off by 2x still gets a binding target: the fraction of the largest network measured on the device', async () => {
  process.env.SPNAS_TABLE_CACHE = cacheDir;
  const root = tempDir('spnas-unit-');
  const data = path.join(root, 'shard-0.tar');
  fs.writeFileSync(data, 'x');
  const tableFile = path.join(root, 'table-2x.json');
  const off = fromElsewhere(2);
  fs.writeFileSync(tableFile, JSON.stringify(off));
  const spec = {
    name: 'unit',
    storage: root,
    space: 'cifar-tiny',
    data: { train: { uri: data, valCount: 10 } },
    latencyTable: { uri: tableFile, deviceCheck: { onMismatch: 'accept', networks: 2, repeats: 3 } },
    objectives: { latency: 'measured', latencyTargetFraction: 0.9 },
    hpo: { trials: 2, parallelism: 1 },
  };
  const prepared = await prepareStudy(spec);
  assert.ok(prepared.measuredLargestMs !== undefined && prepared.measuredLargestMs > 0);
  const tableLargest = predictArchitectureLatencyExact(off, largestArchitecture(space));
  const parsed = { objectives: { latency: 'measured' as const, latencyTargetFraction: 0.9 } };
  const target = objectiveTargetMs(parsed, tableLargest, prepared.measuredLargestMs);
  // The largest network, measured as trials are, against the two targets.
  const largest = { accuracy: 0.5, latencyMs: prepared.measuredLargestMs! };
  assert.equal(selectForLatencyTarget([largest], target).met, false, `the largest network (${largest.latencyMs.toFixed(2)} ms) misses 90% of itself`);
  assert.equal(selectForLatencyTarget([largest], 0.9 * tableLargest).met, true, 'in table units the target would not bind');
  // device.json records it, and a retried prepare step keeps the unit it started with
  const device = JSON.parse(fs.readFileSync(path.join(root, 'studies', 'unit', 'device.json'), 'utf8'));
  assert.equal(device.largest.ms, prepared.measuredLargestMs);
  assert.equal(device.check.action, 'accepted');
  assert.ok(device.largest.intervalMs[0] <= device.largest.ms && device.largest.ms <= device.largest.intervalMs[1]);
  assert.equal((await prepareStudy(spec)).measuredLargestMs, prepared.measuredLargestMs);
});

test('a freshly profiled table predicts its reference exactly, so the next study reuses it instead of profiling again', async () => {
  const dir = tempDir('spnas-table-cache-');
  const first = await deviceTable({ space, check: check('refuse'), ...fast, cacheDir: dir, measureLargest: true });
  assert.equal(first.source, 'profiled');
  const predicted = predictArchitectureLatencyExact(first.table, largestArchitecture(space));
  assert.ok(Math.abs(predicted / first.largest!.ms - 1) < 1e-9, `${predicted} vs ${first.largest!.ms}`);
  const cal = first.table.meta?.calibration;
  assert.ok(cal && cal.referenceMs === first.largest!.ms && Math.abs(cal.factor * cal.predictedMs - cal.referenceMs) < 1e-9, JSON.stringify(cal));
  const lines: string[] = [];
  const again = await deviceTable({ space, check: check('refuse'), ...fast, cacheDir: dir, measureLargest: true }, { log: (l) => lines.push(l) });
  assert.equal(again.source, 'cache');
  assert.equal(again.check, undefined);
  assert.deepEqual(again.table, first.table);
  assert.equal(again.largest!.ms, first.largest!.ms);
  assert.deepEqual(lines, []);
});

test("a cached table of this device that disagrees with the device's reference is profiled again with it; one that agrees is used", async () => {
  const dir = tempDir('spnas-table-cache-');
  const first = await deviceTable({ space, check: check('reprofile'), ...fast, cacheDir: dir });
  const tableFile = path.join(dir, `${first.cacheKey}.json`);
  const refFile = path.join(dir, `${first.cacheKey}.reference.json`);
  const largestMs = predictArchitectureLatencyExact(first.table, largestArchitecture(space));
  // the reference as if measured with the table: exactly the table's prediction of the largest network
  const ref = JSON.parse(fs.readFileSync(refFile, 'utf8'));
  fs.writeFileSync(refFile, JSON.stringify({ ...ref, ms: largestMs }));
  const agrees = await deviceTable({ space, check: check('refuse'), ...fast, cacheDir: dir, measureLargest: true });
  assert.equal(agrees.source, 'cache');
  assert.equal(agrees.check, undefined);
  assert.equal(agrees.largest!.ms, largestMs);
  // the same table cached at twice the machine's speed of its reference (profiled under another load)
  const slow = scaleTable(first.table, 2);
  fs.writeFileSync(tableFile, JSON.stringify(slow));
  fs.writeFileSync(refFile, JSON.stringify({ ...ref, ms: largestMs }));
  const lines: string[] = [];
  const again = await deviceTable({ space, check: check('refuse'), ...fast, cacheDir: dir, measureLargest: true }, { log: (l) => lines.push(l) });
  assert.equal(again.source, 'profiled');
  assert.equal(again.check?.action, 'reprofiled');
  assert.ok(Math.abs(again.check!.accuracy.ratio - 2) < 1e-9, JSON.stringify(again.check));
  assert.match(
    lines.join('\n'),
    /cached latency table of this device .* predicts the largest network at [\d.]+ ms, and its reference measures [\d.]+ ms \(100\.0% off/,
  );
  assert.notDeepEqual(JSON.parse(fs.readFileSync(tableFile, 'utf8')), slow, 'the cache holds the new table');
  assert.notEqual(again.largest!.ms, largestMs, 'and the reference measured with it');
  // a given table from another device that fails its check leads to the stale cache: both are
  // replaced, and the given table's check stays the record
  fs.writeFileSync(tableFile, JSON.stringify(slow));
  fs.writeFileSync(refFile, JSON.stringify({ ...ref, ms: largestMs }));
  const both = await deviceTable({
    space,
    given: { table: fromElsewhere(2), source: 'off-by-2x table' },
    check: check('reprofile'),
    ...fast,
    cacheDir: dir,
    measureLargest: true,
  });
  assert.equal(both.source, 'profiled');
  assert.deepEqual([both.check?.tableDevice?.cpu, both.check?.action], ['another CPU', 'reprofiled']);
});
