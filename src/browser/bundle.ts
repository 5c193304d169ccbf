/**
 * The files of one browser page, by URL path: '/index.html', '/<page>.js', '/spnas.css' and the WASM
 * backend's binaries under '/wasm/'. Nothing is fetched from anywhere but the page's own origin.
 *
 * The compiled build has the pages prebuilt in dist/pages/<page>/ (scripts/build.mjs, with
 * scripts/page-bundle.cjs); running from the sources bundles them in memory with the same script, so
 * a page never lags its sources. The WASM binaries come from the installed @tensorflow/tfjs-backend-wasm.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StaticFile } from './local-server';

export type PageName = 'profile' | 'classify' | 'report';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** dist/pages/<page> when this module runs from dist/src/browser; undefined from the sources. */
function prebuiltDir(page: PageName): string | undefined {
  const dir = path.resolve(__dirname, '..', '..', 'pages', page);
  return path.basename(path.resolve(__dirname, '..', '..')) === 'dist' && fs.existsSync(dir) ? dir : undefined;
}

/** The page's own files (script, HTML, CSS) by name, without the WASM binaries. */
export async function pageSources(page: PageName): Promise<Record<string, Uint8Array>> {
  const built = prebuiltDir(page);
  if (built) return Object.fromEntries(fs.readdirSync(built).map((n) => [n, fs.readFileSync(path.join(built, n))]));
  const root = path.resolve(__dirname, '..', '..');
  const bundler = require(path.join(root, 'scripts', 'page-bundle.cjs')) as { bundlePage(root: string, page: PageName): Promise<Record<string, Uint8Array>> };
  return bundler.bundlePage(root, page);
}

export async function bundlePage(page: PageName): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>(Object.entries(await pageSources(page)).map(([name, body]) => [`/${name}`, { body }]));
  const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const w of WASM_FILES) files.set(`/wasm/${w}`, { body: fs.readFileSync(path.join(wasmDir, w)) });
  return files;
}
