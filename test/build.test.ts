// The compiled build (dist/): `spnas/hpo` as a plain-Node library, and a stale build never runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const state = require(path.join(ROOT, 'scripts', 'build-state.cjs')) as { staleReason(root: string): string | undefined; INPUT_ROOTS: string[] };

/** The environment of a plain `node`: no loader inherited through NODE_OPTIONS, not a test-runner child. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function node(args: string[], cwd: string, timeout = 60_000) {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout, env: plainEnv() });
}

test('the build is current (npm test rebuilds it first) and every file the build read is a watched input', () => {
  assert.equal(state.staleReason(ROOT), undefined);
  // tsc's own record of what the last build read (paths relative to the .tsbuildinfo file)
  const info = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', '.tsbuildinfo'), 'utf8')) as { fileNames: string[] };
  const read = info.fileNames
    .filter((f) => !f.includes('node_modules/'))
    .map((f) =>
      path
        .relative(ROOT, path.resolve(ROOT, 'dist', f))
        .split(path.sep)
        .join('/'),
    );
  assert.ok(read.includes('src/hpo/index.ts') && read.some((f) => f.startsWith('data/')), read.slice(0, 5).join(', '));
  const unwatched = read.filter((f) => !state.INPUT_ROOTS.some((root) => f === root || f.startsWith(`${root}/`)));
  assert.deepEqual(unwatched, [], 'a file the build reads but the staleness check does not watch');
});

test("import('spnas/hpo') and import('spnas') work from plain Node (no loader) and load no TensorFlow", () => {
  const script = `
    import { GpSampler, NAS_HPO_SPACE, mnasReward, restoreSampler } from 'spnas/hpo';
    const s = new GpSampler(NAS_HPO_SPACE, { seed: 7, direction: 'maximize' });
    const t = s.ask();
    s.tell(t.trialId, { status: 'ok', value: mnasReward(0.74, 83, { targetMs: 80 }) });
    const resumed = restoreSampler(JSON.parse(JSON.stringify(s.toJSON())));
    const main = await import('spnas');
    const { createRequire } = await import('node:module');
    const loadedTf = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@tensorflow'));
    console.log(JSON.stringify({ params: Object.keys(t.params).sort(), names: Object.keys(NAS_HPO_SPACE).sort(), next: resumed.ask().trialId, hpoSame: main.hpo.GpSampler === GpSampler, preset: main.getPreset('cifar-tiny').name ?? null, err: new main.InvalidInputError('x').code, loadedTf }));`;
  const r = node(['--input-type=module', '-e', script], ROOT);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.ok(out.names.length >= 3 && out.names.includes('lambda'), JSON.stringify(out.names));
  assert.deepEqual(out.params, out.names, 'a proposal sets every parameter of the space');
  assert.equal(out.next, 1, 'the restored sampler continues the trial ids');
  assert.equal(out.hpoSame, true);
  assert.equal(out.err, 'INVALID_INPUT');
  assert.equal(out.loadedTf, false, "importing 'spnas' must not load TensorFlow");
  // the declarations a TypeScript consumer gets through `exports`
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const entry of Object.values(pkg.exports) as Array<{ types?: string; default?: string } | string>) {
    if (typeof entry === 'string') continue;
    assert.ok(fs.existsSync(path.join(ROOT, entry.types!)) && fs.existsSync(path.join(ROOT, entry.default!)), JSON.stringify(entry));
  }
  assert.ok(fs.existsSync(path.join(ROOT, pkg.bin.spnas)));
});

/** A copy of what the CLI needs, in a path with a space and non-ASCII characters. */
function copyTree(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spnas build ')), 'répo ü');
  fs.mkdirSync(dir);
  for (const p of ['bin', 'scripts', 'src', 'data', 'dist', 'test', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    if (fs.existsSync(path.join(ROOT, p))) fs.cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true, preserveTimestamps: true });
  }
  for (const p of ['workflows', 'activities'])
    if (fs.existsSync(path.join(ROOT, p))) fs.cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true, preserveTimestamps: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

test('a stale build is refused, a touched but unchanged source is not stale, and the build script brings it back', { timeout: 600_000 }, () => {
  const dir = copyTree();
  const cli = (...args: string[]) => node([path.join(dir, 'bin', 'spnas.js'), ...args], dir);
  assert.equal(cli('--help').status, 0, 'the copy runs: nothing is stale');

  const main = path.join(dir, 'src', 'cli', 'main.ts');
  const later = new Date(Date.now() + 5_000);
  fs.utimesSync(main, later, later); // what a git checkout does to an unchanged file
  assert.equal(cli('--help').status, 0, 'same content, new mtime: still current');

  fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace("'usage: spnas <command> [options]'", "'usage: spnas <command> [options] (rebuilt)'"));
  let r = cli('--help');
  assert.equal(r.status, 1, 'an edited source must not run from the old build');
  assert.match(r.stderr, /out of date \(sources changed since the last build: src\/cli\/main\.ts\).*\n.*npm run build/);
  assert.doesNotMatch(r.stdout, /usage/);
  assert.equal(node([path.join(dir, 'scripts', 'build.mjs'), '--check'], dir).status, 1);

  fs.writeFileSync(path.join(dir, 'dist', 'src', 'orphan.js'), '"use strict";\n'); // output of a deleted source
  const b = node([path.join(dir, 'scripts', 'build.mjs')], dir, 540_000);
  assert.equal(b.status, 0, b.stdout + b.stderr);
  assert.ok(!fs.existsSync(path.join(dir, 'dist', 'src', 'orphan.js')), 'outputs of deleted sources are removed');
  r = cli('--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(rebuilt\)/, 'the rebuilt CLI runs the edited source');

  fs.writeFileSync(path.join(dir, 'src', 'new-module.ts'), 'export const x = 1;\n');
  assert.match(cli('--help').stderr, /src\/new-module\.ts \(new\)/);
  fs.rmSync(path.join(dir, 'dist', '.build-info.json'));
  assert.match(cli('--help').stderr, /no compiled build/);
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

test('npm test runs from a checkout whose path has a space and non-ASCII characters', { timeout: 300_000 }, () => {
  const dir = copyTree();
  const r = node([path.join(dir, 'scripts', 'run-tests.mjs'), 'test/space/'], dir, 280_000);
  assert.equal(r.status, 0, r.stdout.slice(-3000) + r.stderr.slice(-3000));
  assert.match(r.stdout, /dist\/ is current/);
  assert.match(r.stdout, /ℹ pass [1-9]/);
  assert.match(r.stdout, /ℹ fail 0/);
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});
