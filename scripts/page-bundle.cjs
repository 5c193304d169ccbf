'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: scripts/build.mjs runs it before anything is compiled */
// Bundles spnas's browser pages (src/browser/page) with esbuild: the page's TypeScript and everything it
// imports (the profiler's Node-free method, the search space, TF.js and its WebGPU/WebGL/WASM backends)
// in one script, plus its HTML and CSS. scripts/build.mjs writes them to dist/pages/<page>/; running
// from the sources (SPNAS_FROM_SOURCE=1, tests importing src/) bundles in memory instead.
// The WASM backend's binaries are not copied: src/browser/bundle.ts serves them from the installed package.
const fs = require('node:fs');
const path = require('node:path');

const PAGES = { profile: 'profile-page.ts', classify: 'classify-page.ts' };

/** { '<page>.js': Uint8Array, 'index.html': ..., 'spnas.css': ... } for one page. */
async function bundlePage(root, page) {
  const dir = path.join(root, 'src', 'browser', 'page');
  const { build } = require('esbuild');
  const result = await build({
    entryPoints: [path.join(dir, PAGES[page])],
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: ['chrome113', 'firefox115', 'safari16'],
    minify: true,
    // Apache-2.0 notices of TF.js and the MIT ones of its dependencies stay with the code.
    legalComments: 'eof',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error(`esbuild produced no output for the ${page} page`);
  return {
    [`${page}.js`]: js.contents,
    'index.html': fs.readFileSync(path.join(dir, `${page}.html`)),
    'spnas.css': fs.readFileSync(path.join(dir, 'spnas.css')),
  };
}

/** Writes every page to <outDir>/<page>/. */
async function writePages(root, outDir) {
  for (const page of Object.keys(PAGES)) {
    const files = await bundlePage(root, page);
    fs.mkdirSync(path.join(outDir, page), { recursive: true });
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(outDir, page, name), data);
  }
}

module.exports = { PAGES, bundlePage, writePages };
