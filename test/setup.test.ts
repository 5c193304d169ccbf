import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function snapshot(files: string[]): string[] {
  return files.map((f) => `${f}:${fs.statSync(path.join(ROOT, f)).mtimeMs}`);
}

test('the set-up script is idempotent: a second run only checks and changes nothing', () => {
  const watched = [
    'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
    'node_modules/.spnas-lock-stamp',
    'node_modules/@tensorflow/tfjs-node/deps/lib',
    'dist/.build-info.json',
    'dist/src/cli/main.js',
  ];
  const stamp = path.join(ROOT, 'node_modules', '.spnas-lock-stamp');
  // precondition, not the thing tested: otherwise this test would reinstall node_modules under the suite
  assert.ok(
    fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'),
    'run scripts/setup.sh first: node_modules does not match package-lock.json',
  );
  const before = snapshot(watched);
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'setup.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /node_modules matches package-lock\.json/);
  assert.match(r.stdout, /dist\/ is current; nothing to do/);
  assert.match(r.stdout, /native backend already loads; nothing to do/);
  assert.match(r.stdout, /chromium already installed/);
  assert.deepEqual(snapshot(watched), before, 'no installed file was touched');
});
