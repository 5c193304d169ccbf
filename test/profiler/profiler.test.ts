import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { layoutOf } from '../../src/space/layers';
import { profileSpace } from '../../src/profiler/profiler';
import { parseLatencyTableFor } from '../../src/latency/latency-table';
import { tempDir } from '../support/temp-dir';

const root = path.resolve(__dirname, '../..');
const tiny = getPreset('cifar-tiny');

function spnas(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'bin/spnas.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
}

test('profileSpace on cifar-tiny (few repeats) gives a valid table with SE costs and an error report, without leaking tensors', async () => {
  const { tf } = loadTf();
  const before = tf.memory().numTensors;
  const phases = new Set<string>();
  const r = await profileSpace(tf, tiny, { repeats: 3, warmup: 1, samples: 3, onProgress: (p) => phases.add(p.phase) });
  assert.equal(tf.memory().numTensors, before, 'every model and input is disposed');
  const table = parseLatencyTableFor(tiny, r.table);
  assert.equal(table.layers.length, layoutOf(tiny).searchable.length);
  assert.ok(table.layers.every((row) => row.se && row.se.e3 > 0 && row.se.e6 > 0));
  assert.ok(table.fixedMs > 0 && table.meta!.callOverheadMs! >= 0);
  assert.equal(table.meta!.repeats, 3);
  assert.match(table.meta!.source!, /statistic mean/);
  assert.match(table.meta!.backend!, /native libtensorflow/, 'the native backend is recorded (a pure-JS table must not pass for it)');
  assert.deepEqual([...phases].sort(), ['build', 'measure']);
  assert.equal(r.report!.count, 3);
  for (const s of r.report!.samples) assert.ok(s.measuredMs > 0 && s.predictedMs > table.fixedMs && s.formulaMs > table.fixedMs, JSON.stringify(s));
  assert.ok(Number.isFinite(r.report!.exact.medianAbsErrPct) && r.report!.exact.within10 >= 0 && r.report!.exact.within10 <= 1);
});

test('CLI: spnas profile --json writes the table and prints one JSON object; progress goes to stderr', () => {
  const dir = tempDir('spnas-profile-');
  const out = path.join(dir, 'table.json');
  const r = spnas(['profile', '--space', 'cifar-tiny', '--repeats', '2', '--warmup', '1', '--samples', '2', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line on stdout, got:\n${r.stdout}`);
  const doc = JSON.parse(lines[0]!);
  assert.equal(doc.out, out);
  assert.equal(doc.report.count, 2);
  assert.ok(typeof doc.report.exact.medianAbsErrPct === 'number');
  assert.match(r.stderr, /profile: timing rounds/);
  const written = parseLatencyTableFor(tiny, JSON.parse(fs.readFileSync(out, 'utf8')));
  assert.deepEqual(written, doc.table);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('CLI: human output from a JSON spec file, --samples 0 skips the error check', () => {
  const dir = tempDir('spnas-profile-');
  const spec = path.join(dir, 'space.json');
  fs.writeFileSync(spec, JSON.stringify({ ...tiny, name: 'my-tiny', search: { se: false, seRatio: 0.25 } }));
  const out = path.join(dir, 't.json');
  const r = spnas(['profile', '--space', spec, '--repeats', '1', '--warmup', '0', '--samples', '0', '--stat', 'median', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote .*t\.json: 5 layers, fixed [\d.]+ ms/);
  assert.doesNotMatch(r.stdout, /prediction error/);
  const t = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(t.space, 'my-tiny');
  assert.ok(
    t.layers.every((row: { se?: unknown }) => row.se === undefined),
    'no SE columns when SE is not searchable',
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('CLI: bad input gives a clear error and a non-zero exit', () => {
  const cases: Array<[string[], RegExp]> = [
    [['profile', '--space', 'nope'], /unknown search-space preset 'nope'/],
    [['profile', '--space', '/nonexistent/space.json'], /search-space spec '\/nonexistent\/space.json' cannot be read/],
    [['profile'], /--space is required/],
    [['profile', '--space', 'cifar-tiny', '--repeats', '0'], /--repeats must be an integer >= 1/],
    [['profile', '--space', 'cifar-tiny', '--stat', 'average'], /--stat must be one of median, mean, p25, p10, min/],
    [['profile', '--space', 'cifar-tiny', '--out', '/nonexistent/dir/t.json'], /--out '\/nonexistent\/dir\/t.json': its directory is not writable/],
  ];
  for (const [args, re] of cases) {
    const r = spnas(args);
    assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /^spnas profile: error \[INVALID_INPUT\]/);
  }
});
