'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS on purpose: bin/spnas.js loads it before anything is compiled */
// Whether dist/ (the compiled build) matches the sources it was built from. Used by
// scripts/build.mjs (rebuild only when needed), bin/spnas.js (refuse a stale build) and the tests.
// Plain CommonJS with no dependencies: it must run before anything is compiled.
//
// The build records, per input file, its size, mtime and SHA-256. A check stats every input (a few
// ms); only a file whose mtime moved (a git checkout, a touch) is hashed, so an unchanged file with
// a new mtime is not "stale" but an edited one always is.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

/** Every path the build reads: tsconfig.build.json's include, plus data/ (JSON the sources import). */
const INPUT_ROOTS = ['src', 'workflows', 'activities', 'data', 'tsconfig.json', 'tsconfig.build.json'];
const OUT_DIR = 'dist';
const INFO_FILE = path.join(OUT_DIR, '.build-info.json');

function walk(root, rel, out) {
  const abs = path.join(root, rel);
  let st;
  try {
    st = fs.statSync(abs);
  } catch {
    return; // an optional root (workflows/, activities/) that does not exist yet
  }
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(abs).sort()) walk(root, rel + '/' + name, out);
  } else if (st.isFile()) {
    out.set(rel, { size: st.size, mtimeMs: st.mtimeMs });
  }
}

/** The build's inputs under `root`, as posix-style relative paths -> { size, mtimeMs }. */
function listInputs(root) {
  const out = new Map();
  for (const r of INPUT_ROOTS) walk(root, r, out);
  return out;
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function typescriptVersion(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  } catch {
    return 'none';
  }
}

/** A snapshot of the inputs to record with a build (taken before compiling, so an edit made during the build counts as stale). */
function snapshotInputs(root) {
  const files = {};
  for (const [rel, st] of listInputs(root)) files[rel] = { ...st, sha256: sha256(path.join(root, rel)) };
  return { typescript: typescriptVersion(root), files };
}

function readInfo(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, INFO_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Why the build under `root` does not match its sources, or undefined when it does.
 * `{ sourcesRequired: false }` (the CLI's mode) accepts a tree that ships dist/ without src/.
 */
function staleReason(root, opts = {}) {
  // An image that ships dist/ without the sources has nothing to be stale against.
  if (opts.sourcesRequired === false && !fs.existsSync(path.join(root, 'src')) && fs.existsSync(path.join(root, OUT_DIR))) return undefined;
  const info = readInfo(root);
  if (!info || !info.files) return `no compiled build in ${OUT_DIR}/`;
  const inputs = listInputs(root);
  if (info.typescript !== typescriptVersion(root)) return `TypeScript changed (${info.typescript} -> ${typescriptVersion(root)})`;
  const changed = [];
  for (const [rel, st] of inputs) {
    const rec = info.files[rel];
    if (!rec) changed.push(`${rel} (new)`);
    else if (rec.size !== st.size) changed.push(rel);
    else if (rec.mtimeMs !== st.mtimeMs && rec.sha256 !== sha256(path.join(root, rel))) changed.push(rel);
    if (changed.length >= 3) break;
  }
  if (changed.length === 0)
    for (const rel of Object.keys(info.files))
      if (!inputs.has(rel)) {
        changed.push(`${rel} (deleted)`);
        break;
      }
  return changed.length ? `sources changed since the last build: ${changed.join(', ')}` : undefined;
}

module.exports = { INPUT_ROOTS, OUT_DIR, INFO_FILE, listInputs, snapshotInputs, staleReason };
