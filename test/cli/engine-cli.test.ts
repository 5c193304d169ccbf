import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildTar } from '../../src/data/tar-writer';
import { CIFAR_DIR, jpg } from '../data/fixtures';
import { jsonOut, spnas } from '../support/run-cli';
import { tempDir } from '../support/temp-dir';

const SHARD = path.join(CIFAR_DIR, 'train-000000.tar');
const tmp = () => tempDir('spnas-cli-');
const small = ['--space', 'cifar-tiny', '--data', SHARD, '--limit', '320', '--val-count', '64', '--batch-size', '32'];

test('search -> derive -> train -> eval -> export on real CIFAR-10 data, each printing one JSON object', () => {
  const dir = tmp();
  const s = spnas(['search', ...small, '--epochs', '2', '--warmup-epochs', '1', '--lambda', '2', '--out', path.join(dir, 'search'), '--json']);
  assert.equal(s.code, 0, s.stderr);
  const sr = jsonOut(s);
  assert.match(String(sr.architecture), /^((k[35]e[36](\+se)?|skip),){4}(k[35]e[36](\+se)?|skip)$/);
  assert.ok(Number(sr.predictedMs) > 0 && Number(sr.supernetTop1) >= 0);
  const arch = JSON.parse(fs.readFileSync(path.join(dir, 'search', 'architecture.json'), 'utf8'));
  assert.equal(arch.space, 'cifar-tiny');

  const d = spnas(['derive', '--run', path.join(dir, 'search'), '--out', 'derived.json', '--json']);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(jsonOut(d).architecture, sr.architecture, 'derive on the final checkpoint reproduces the search result');

  const t = spnas(['train', '--arch', path.join(dir, 'search'), '--epochs', '1', '--out', path.join(dir, 'train'), '--json']);
  assert.equal(t.code, 0, t.stderr);
  const tr = jsonOut(t);
  assert.equal(tr.architecture, sr.architecture);
  for (const f of ['model.json', 'architecture.json', 'manifest.json', 'group1-shard1of1.bin'])
    assert.ok(fs.existsSync(path.join(dir, 'train', 'model', f)), f);

  assert.equal(tr.latencyStatistic, 'mean');
  assert.equal(tr.latencyBackend, 'tensorflow');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'train', 'model', 'manifest.json'), 'utf8'));
  assert.deepEqual(
    [manifest.meta.metrics.latencyBackend, manifest.meta.metrics.latencyThreads, manifest.meta.metrics.latencyNative],
    ['tensorflow', tr.latencyThreads, true],
    'the manifest records what the latency was measured on',
  );

  const e = spnas(['eval', '--model', path.join(dir, 'train', 'model'), '--repeats', '5', '--json']);
  assert.equal(e.code, 0, e.stderr);
  const er = jsonOut(e);
  assert.ok(Number(er.top1) >= 0 && Number(er.top1) <= 1);
  assert.equal(er.count, 64, 'evaluated on the held-out split recorded with the model');
  assert.equal(er.top1, tr.valTop1, 'eval of the exported model equals the accuracy measured before export');
  // Latency: the tables' statistic (mean) with the median beside it, what it ran on, and the shipped table's prediction.
  assert.ok(Number(er.latencyMs) > 0 && Number(er.latencyMedianMs) > 0);
  assert.equal(er.latencyStatistic, 'mean');
  assert.equal(er.latencyRepeats, 5);
  assert.equal(er.latencyBackend, 'tensorflow');
  assert.ok(Number.isInteger(er.latencyThreads) && Number(er.latencyThreads) >= 1);
  assert.equal(er.latencyNative, true);
  assert.ok(Number(er.predictedMs) > 0 && String(er.predictedBy).includes('native libtensorflow'), JSON.stringify(er));
  const threads = jsonOut(spnas(['eval', '--model', path.join(dir, 'train', 'model'), '--repeats', '2', '--json'], { env: { TF_NUM_INTRAOP_THREADS: '1' } }));
  assert.equal(threads.latencyThreads, 1, 'an explicit intra-op thread count is recorded');

  // On the pure-JS fallback the accuracy is still reported, the latency is flagged and warned about.
  const js = spnas(['eval', '--model', path.join(dir, 'train', 'model'), '--repeats', '2', '--json'], { env: { SPNAS_TF_BACKEND: 'js' } });
  assert.equal(js.code, 0, js.stderr);
  const jr = jsonOut(js);
  assert.deepEqual([jr.latencyBackend, jr.latencyNative, jr.latencyThreads], ['cpu', false, 1]);
  assert.match(js.stderr, /latency measured on the pure-JS backend .* not comparable/);
  assert.ok(Math.abs(Number(jr.top1) - Number(er.top1)) <= 2 / 64, 'the same model on the other backend');

  const x = spnas(['export', '--model', path.join(dir, 'train', 'model'), '--out', path.join(dir, 'copy'), '--json']);
  assert.equal(x.code, 0, x.stderr);
  const e2 = jsonOut(spnas(['eval', '--model', path.join(dir, 'copy'), '--repeats', '3', '--json']));
  assert.equal(e2.top1, er.top1, 'the exported copy predicts the same');
  fs.rmSync(dir, { recursive: true, force: true });
});

function fails(args: string[], pattern: RegExp): void {
  const r = spnas(args);
  assert.notEqual(r.code, 0, `expected failure for ${args.join(' ')}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a clear message, not a stack trace');
}

test('bad input gets a clear error naming the input and a non-zero exit', () => {
  const dir = tmp();
  fails(['search', '--space', 'nope', '--data', SHARD, '--out', dir], /unknown search-space preset 'nope'.*cifar-tiny/);
  fails(['search', ...small, '--data', path.join(dir, 'missing'), '--out', path.join(dir, 'a')], /missing/);
  fails(['search', ...small, '--epochs', '-1', '--out', path.join(dir, 'b')], /epochs/);
  fails(['search', ...small, '--bogus', '--out', path.join(dir, 'c')], /bogus.*spnas search --help/s);
  fails(['search', '--space', 'cifar-tiny', '--out', dir], /--data is required/);
  fails(['eval', '--model', path.join(dir, 'nomodel')], /no exported model/);
  fails(['train', '--arch', path.join(dir, 'nothing.json'), '--out', path.join(dir, 'd')], /nothing\.json/);

  // a corrupt image inside a shard: the error names the shard and the sample key
  const corrupt = path.join(dir, 'corrupt.tar');
  const members = [];
  for (let i = 0; i < 40; i++) {
    members.push({ name: `s${i}.jpg`, data: i === 17 ? new Uint8Array([0xff, 0xd8, 1, 2, 3]) : jpg(i * 5, 100, 200, 32, 32) });
    members.push({ name: `s${i}.cls`, data: new TextEncoder().encode(String(i % 10)) });
  }
  fs.writeFileSync(corrupt, buildTar(members));
  fails(
    ['search', '--space', 'cifar-tiny', '--data', corrupt, '--val-count', '8', '--batch-size', '8', '--out', path.join(dir, 'e')],
    /corrupt\.tar.*s17|s17.*corrupt\.tar/,
  );

  // a diverging run stops with the step and the layer, and exits non-zero
  fails(
    ['search', ...small, '--epochs', '1', '--warmup-epochs', '0', '--lr', '1e30', '--out', path.join(dir, 'f')],
    /NaN at step \d+.*first non-finite gradient in '[a-z0-9_]+\/[a-z_]+'/,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
