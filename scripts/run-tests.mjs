#!/usr/bin/env node
// Runs every test/**/*.test.ts file with Node's built-in test runner through the tsx loader.
// Usage: npm test [-- <path-substring> ...]   (filters test files by substring)
//        npm run test:node                      (test/node/: real pods on a real node; needs root)
// First brings dist/ up to date (scripts/build.mjs; a no-op when current): tests that spawn the
// `spnas` binary run the compiled build, which must be the sources under test.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// fileURLToPath, not URL.pathname: the latter keeps %20 and %C3%A9 for spaces and non-ASCII characters.
const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('npm test: the build failed (above); the tests would run a stale `spnas` binary');
  process.exit(1);
}
function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const filters = process.argv.slice(2);
// test/node/ runs the image as real pods on a real kubelet (root, minutes): not in the default suite,
// only when a filter matches it (`npm run test:node` passes test/node/).
const nodeTests = join('test', 'node') + '/';
const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => (filters.length === 0 ? !f.startsWith(nodeTests) : filters.some((s) => f.includes(s))))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${JSON.stringify(filters)}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: 'inherit',
  // A fresh table cache per run: tests that profile under load must not leave tables in the user's cache.
  env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2', SPNAS_TABLE_CACHE: mkdtempSync(join(tmpdir(), 'spnas-test-tables-')) },
});
process.exit(r.status ?? 1);
