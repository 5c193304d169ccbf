'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: scripts/build.mjs runs it before anything is compiled */
// Bundles spnas's browser pages (src/browser/page, src/report/page) with esbuild: the page's TypeScript and everything it
// imports (the profiler's Node-free method, the search space, TF.js and its WebGPU/WebGL/WASM backends)
// in one script, plus its HTML and CSS. scripts/build.mjs writes them to dist/pages/<page>/; running
// from the sources (SPNAS_FROM_SOURCE=1, tests importing src/) bundles in memory instead.
// The WASM backend's binaries are not copied: src/browser/bundle.ts serves them from the installed package.
const fs = require('node:fs');
const path = require('node:path');

// page -> its directory under src/, entry script and the files served beside it ({ served name: file }).
const PAGES = {
  profile: { dir: 'browser/page', entry: 'profile-page.ts', files: { 'index.html': 'profile.html', 'spnas.css': 'spnas.css' } },
  classify: { dir: 'browser/page', entry: 'classify-page.ts', files: { 'index.html': 'classify.html', 'spnas.css': 'spnas.css' } },
  // `spnas report` inlines its script (Chart.js bundled in) and CSS into one HTML file (src/report/html.ts)
  report: { dir: 'report/page', entry: 'report-page.ts', files: { 'report.css': 'report.css' } },
};

/** { '<page>.js': Uint8Array, and the page's other files (e.g. 'index.html', 'spnas.css') } for one page. */
async function bundlePage(root, page) {
  const dir = path.join(root, 'src', PAGES[page].dir);
  const { build } = require('esbuild');
  const result = await build({
    entryPoints: [path.join(dir, PAGES[page].entry)],
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
  const files = { [`${page}.js`]: js.contents };
  for (const [name, file] of Object.entries(PAGES[page].files)) files[name] = fs.readFileSync(path.join(dir, file));
  return files;
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
