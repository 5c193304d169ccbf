// Everything the README, the docs and the scripts point at exists: a path a user is told to open or
// run, package.json's scripts, exports and bin. (A missing bench/run.ts, src/index.ts and
// docs/native-backend.md were each referenced before they existed.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const rel = (...p: string[]) => path.join(ROOT, ...p);
const list = (dir: string, re: RegExp) =>
  fs.existsSync(rel(dir))
    ? fs
        .readdirSync(rel(dir))
        .filter((n) => re.test(n))
        .map((n) => `${dir}/${n}`)
    : [];

test('paths named in the README, docs/ and the scripts exist', () => {
  const files = [
    'README.md',
    '.npmrc',
    '.ci/run',
    ...list('docs', /\.md$/),
    ...list('scripts', /\.(sh|mjs|cjs)$/),
    ...list('scripts/setup.d', /\.sh$/),
    ...list('bin', /\.js$/),
  ];
  // a repository path: a top-level directory of ours, then path characters, ending in a name character
  const pathRe = /(?<![\w/.-])((?:bench|bin|data|docs|scripts|src|test|\.ci)\/[\w./-]*\w)/g;
  const missing: string[] = [];
  for (const f of files) {
    for (const [, p] of fs.readFileSync(rel(f), 'utf8').matchAll(pathRe)) {
      if (!fs.existsSync(rel(p!)) && !fs.existsSync(path.join(path.dirname(rel(f)), p!))) missing.push(`${f}: ${p}`);
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});

test("package.json's scripts, exports and bin point at files that exist (exports after the build)", () => {
  const pkg = JSON.parse(fs.readFileSync(rel('package.json'), 'utf8'));
  for (const [name, cmd] of Object.entries(pkg.scripts as Record<string, string>)) {
    for (const [, p] of cmd.matchAll(/(?:^|\s)((?:bench|scripts|bin|src)\/\S+)/g)) assert.ok(fs.existsSync(rel(p!)), `npm run ${name}: ${p} is missing`);
  }
  for (const entry of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) {
    for (const target of typeof entry === 'string' ? [entry] : Object.values(entry)) assert.ok(fs.existsSync(rel(target)), `exports -> ${target} is missing`);
  }
  assert.ok(fs.existsSync(rel(pkg.bin.spnas)));
});
