/**
 * The device's reference network (native TF, the tiny space): measured once and cached by device
 * fingerprint and space, reused by the next process, re-measured when the cache is torn; a network
 * timed against it reports the ratio, its interval and ms in the reference's unit.
 * Given the study's unit (device.json), a measurement uses it instead of measuring one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { buildChild } from '../../src/nas/child-builder';
import { largestArchitecture, uniformArchitecture } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { deviceReference, measureOnDevice } from '../../src/usecases/device-reference';
import { deviceFingerprint } from '../../src/profiler/device';
import { tempDir } from '../support/temp-dir';

const space = getPreset('cifar-tiny');

test('the reference is measured once, cached for the device and space, and re-measured when the cache is torn', async () => {
  const cacheDir = tempDir('spnas-reference-');
  const first = await deviceReference(space, { cacheDir });
  assert.equal(first.source, 'measured');
  assert.ok(first.ms > 0 && first.intervalMs[0] <= first.ms && first.ms <= first.intervalMs[1], JSON.stringify(first));
  const files = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.reference.json'));
  assert.equal(files.length, 1);
  const again = await deviceReference(space, { cacheDir });
  assert.equal(again.source, 'cache');
  assert.equal(again.ms, first.ms, 'the same unit for the next study on this device');
  // another space's reference is not this one
  const other = await deviceReference(getPreset('cifar-small'), { cacheDir: tempDir('spnas-reference-') });
  assert.notEqual(other.ms, first.ms);
  fs.writeFileSync(path.join(cacheDir, files[0]!), '{"fingerprint": {"backend": "x"');
  const torn = await deviceReference(space, { cacheDir });
  assert.equal(torn.source, 'measured');
  // a cached file of another device is not used
  const rec = JSON.parse(fs.readFileSync(path.join(cacheDir, files[0]!), 'utf8'));
  fs.writeFileSync(path.join(cacheDir, files[0]!), JSON.stringify({ ...rec, fingerprint: { ...rec.fingerprint, cpu: 'another CPU' }, ms: 1e6 }));
  assert.equal((await deviceReference(space, { cacheDir })).source, 'measured');
});

test('a network timed against the reference: ratio below 1 for a smaller network, about 1 for the reference itself, ms in its unit', async () => {
  const { tf } = loadTf();
  const cacheDir = tempDir('spnas-reference-');
  const ref = await deviceReference(space, { cacheDir });
  const small = buildChild(tf, space, uniformArchitecture(space, { op: 'mbconv', kernel: 3, expansion: 3, se: false }), { seed: 3 });
  const same = buildChild(tf, space, largestArchitecture(space), { seed: 4 });
  try {
    const s = await measureOnDevice(space, small, { cacheDir, pairs: 60 });
    assert.equal(s.latencyMethod, 'paired');
    assert.equal(s.latencyReferenceMs, ref.ms);
    assert.ok(s.latencyRatio! < 0.95, `smallest / largest ${s.latencyRatio}`);
    assert.ok(Math.abs(s.latencyMs - s.latencyRatio! * ref.ms) < 1e-9);
    assert.ok(s.latencyRatioLow! <= s.latencyRatio! && s.latencyRatio! <= s.latencyRatioHigh!);
    assert.equal(s.latencyRepeats, 60);
    const r = await measureOnDevice(space, same, { cacheDir, pairs: 60 });
    assert.ok(Math.abs(r.latencyRatio! - 1) < 0.15, `the largest against itself: ${r.latencyRatio}`);
  } finally {
    small.dispose();
    same.dispose();
  }
});

test("with the study's unit, a measurement uses it and measures no reference of its own; another device is named in the log", async () => {
  const { tf } = loadTf();
  const cacheDir = tempDir('spnas-reference-');
  const small = buildChild(tf, space, uniformArchitecture(space, { op: 'mbconv', kernel: 3, expansion: 3, se: false }), { seed: 3 });
  try {
    const here = deviceFingerprint(loadTf());
    const lines: string[] = [];
    const s = await measureOnDevice(space, small, { cacheDir, pairs: 30, study: { ms: 7.5, fingerprint: here }, log: (l) => lines.push(l) });
    assert.equal(s.latencyUnit, 'study');
    assert.equal(s.latencyReferenceMs, 7.5);
    assert.ok(Math.abs(s.latencyMs - s.latencyRatio! * 7.5) < 1e-9);
    assert.deepEqual(fs.readdirSync(cacheDir), [], 'no reference measured or cached on this device');
    assert.deepEqual(
      lines.filter((l) => /not the one the study/.test(l)),
      [],
    );
    const other = await measureOnDevice(space, small, {
      cacheDir,
      pairs: 30,
      study: { ms: 7.5, fingerprint: { ...here, cpu: 'another CPU' } },
      log: (l) => lines.push(l),
    });
    assert.equal(other.latencyReferenceMs, 7.5);
    assert.match(lines.join('\n'), /this device \(.*\) is not the one the study's unit was measured on \(.*another CPU/);
    // without it: this device's own reference
    const own = await measureOnDevice(space, small, { cacheDir, pairs: 30 });
    assert.equal(own.latencyUnit, 'device');
    assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.reference.json')).length, 1);
  } finally {
    small.dispose();
  }
});
