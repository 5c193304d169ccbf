#!/usr/bin/env node
// Compiles src/, workflows/ and activities/ to dist/ (CommonJS + .d.ts + source maps) with tsc,
// only when the sources changed since the last build (see build-state.cjs).
// Usage: node scripts/build.mjs [--force | --check]
//   --force  rebuild even when current
//   --check  build nothing; exit 1 with the reason when dist/ is stale
// Type errors fail the build and leave it marked stale: the CLI then refuses to run it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const { staleReason, snapshotInputs, INFO_FILE, OUT_DIR } = require('./build-state.cjs');

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const say = (m) => console.log(`[build] ${m}`);

const reason = args.includes('--force') ? 'forced' : staleReason(root);
if (!reason) {
  say(`${OUT_DIR}/ is current; nothing to do`);
  process.exit(0);
}
if (args.includes('--check')) {
  console.error(`[build] ${OUT_DIR}/ is stale: ${reason}. Run \`npm run build\` (or bash scripts/setup.sh).`);
  process.exit(1);
}

say(`compiling (${reason})`);
const t0 = Date.now();
const snapshot = snapshotInputs(root); // before compiling: an edit during the build leaves it stale
const infoPath = path.join(root, INFO_FILE);
fs.rmSync(infoPath, { force: true }); // an interrupted or failed build is never taken for current
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`[build] tsc failed (exit ${r.status ?? r.signal}); ${OUT_DIR}/ stays marked stale`);
  process.exit(1);
}

// Outputs of deleted sources would otherwise stay importable.
const outRoot = path.join(root, OUT_DIR);
let removed = 0;
function sourceOf(rel) {
  if (rel.endsWith('.json')) return [rel];
  const base = rel.replace(/(\.d\.ts\.map|\.js\.map|\.d\.ts|\.js)$/, '');
  return base === rel ? [] : [`${base}.ts`, `${base}.tsx`];
}
function prune(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    const rel = path.relative(outRoot, abs);
    if (e.isDirectory()) {
      prune(abs);
      if (fs.readdirSync(abs).length === 0) fs.rmdirSync(abs);
    } else if (!rel.startsWith('.') && !sourceOf(rel).some((s) => fs.existsSync(path.join(root, s)))) {
      fs.rmSync(abs);
      removed++;
    }
  }
}
prune(outRoot);
// The browser pages (esbuild bundles, docs/browser.md): after the prune, which knows only tsc's outputs.
await require('./page-bundle.cjs').writePages(root, path.join(outRoot, 'pages'));

fs.writeFileSync(`${infoPath}.tmp`, JSON.stringify({ builtAt: new Date().toISOString(), ...snapshot }) + '\n');
fs.renameSync(`${infoPath}.tmp`, infoPath);
say(`${OUT_DIR}/ built in ${((Date.now() - t0) / 1000).toFixed(1)} s${removed ? ` (${removed} outputs of deleted sources removed)` : ''}`);
