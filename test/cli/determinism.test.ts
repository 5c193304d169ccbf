import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CIFAR_DIR } from '../data/fixtures';
import { jsonOut, spnas } from '../support/run-cli';

// Two separate processes with the same inputs (and the same intra-op thread count: libtensorflow's
// summation order follows its thread partitioning, docs/engine.md) must write bit-identical weights.
const SHARD = path.join(CIFAR_DIR, 'train-000000.tar');
const data = ['--data', SHARD, '--limit', '320', '--val-count', '64', '--batch-size', '32'];

/** A manifest's content without its timestamp: every file's path, size and sha256 (and tensor names). */
function content(manifestFile: string): unknown {
  const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  delete m.createdAt;
  return m;
}

function finalCheckpoint(out: string): string {
  const dirs = fs
    .readdirSync(path.join(out, 'checkpoints'))
    .filter((d) => d.startsWith('step-'))
    .sort();
  return path.join(out, 'checkpoints', dirs[dirs.length - 1]!, 'manifest.json');
}

test('two `spnas search` runs with the same inputs write bit-identical supernets and thresholds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-det-'));
  const runs = [1, 2].map((i) => {
    const out = path.join(dir, `s${i}`);
    const r = spnas(['search', '--space', 'cifar-tiny', ...data, '--epochs', '2', '--warmup-epochs', '1', '--lambda', '4', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return { out, summary: jsonOut(r) };
  });
  const [a, b] = runs;
  assert.deepEqual(content(finalCheckpoint(a!.out)), content(finalCheckpoint(b!.out)));
  assert.equal(a!.summary.finalLoss, b!.summary.finalLoss);
  assert.equal(a!.summary.architecture, b!.summary.architecture);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('two `spnas train` runs with the same inputs export bit-identical weights', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-det-'));
  const arch = path.join(dir, 'arch.json');
  fs.writeFileSync(
    arch,
    JSON.stringify({
      space: 'cifar-tiny',
      layers: [
        { op: 'mbconv', kernel: 5, expansion: 6, se: true },
        { op: 'skip' },
        { op: 'mbconv', kernel: 3, expansion: 3, se: false },
        { op: 'mbconv', kernel: 3, expansion: 6, se: false },
        { op: 'mbconv', kernel: 5, expansion: 3, se: true },
      ],
    }),
  );
  const runs = [1, 2].map((i) => {
    const out = path.join(dir, `t${i}`);
    const r = spnas(['train', '--arch', arch, ...data, '--epochs', '1', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return { out, summary: jsonOut(r) };
  });
  const [a, b] = runs;
  const weights = (out: string) => fs.readFileSync(path.join(out, 'model', 'group1-shard1of1.bin'));
  assert.ok(weights(a!.out).equals(weights(b!.out)), 'exported weights differ');
  assert.deepEqual(content(finalCheckpoint(a!.out)), content(finalCheckpoint(b!.out)), 'final checkpoints (weights and optimizer state) differ');
  assert.equal(a!.summary.finalLoss, b!.summary.finalLoss);
  assert.equal(a!.summary.valTop1, b!.summary.valTop1);
  fs.rmSync(dir, { recursive: true, force: true });
});
