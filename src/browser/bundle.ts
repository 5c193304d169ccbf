/**
 * Builds spnas's browser pages with esbuild: the page's TypeScript and everything it imports (the
 * profiler's method, the search space, TF.js and its WebGPU/WebGL/WASM backends from node_modules) in
 * one script, plus the page's HTML and CSS and the WASM backend's binaries. Nothing is fetched from
 * anywhere but the page's own origin, and nothing is built ahead of time: the bundle is made from the
 * sources of this checkout whenever a command needs it (about a second), so it can never be stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { StaticFile } from './local-server';

export type PageName = 'profile' | 'classify';

const PAGE_DIR = path.join(__dirname, 'page');
const ENTRIES: Record<PageName, string> = { profile: 'profile-page.ts', classify: 'classify-page.ts' };
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

function wasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

/**
 * The files of one page by URL path: '/index.html', '/<page>.js', '/spnas.css', '/wasm/*.wasm'.
 * Throws if esbuild reports an error (a broken checkout, not user input).
 */
export async function bundlePage(page: PageName): Promise<Map<string, StaticFile>> {
  const result = await build({
    entryPoints: [path.join(PAGE_DIR, ENTRIES[page])],
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
  const files = new Map<string, StaticFile>([
    ['/index.html', { body: fs.readFileSync(path.join(PAGE_DIR, `${page}.html`)) }],
    [`/${page}.js`, { body: js.contents }],
    ['/spnas.css', { body: fs.readFileSync(path.join(PAGE_DIR, 'spnas.css')) }],
  ]);
  for (const w of WASM_FILES) files.set(`/wasm/${w}`, { body: fs.readFileSync(path.join(wasmDir(), w)) });
  return files;
}
