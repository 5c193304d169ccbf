/**
 * `spnas export --web <dir>`: a small self-contained page that runs an exported model in the browser.
 *
 *   <dir>/index.html, classify.js, spnas.css   the page (TF.js and its backends bundled in classify.js)
 *   <dir>/wasm/*.wasm                            the WASM backend's binaries
 *   <dir>/model/                                 model.json + weight shards + architecture.json + manifest
 *   <dir>/spnas-web.json                         input size, normalisation, labels, metrics
 *   <dir>/manifest.json                          hashes of the page's files, written last
 *
 * The model goes through the safe loader first (manifest hashes, architecture rebuilt, weights copied by
 * name and shape) and is written again from that rebuilt network: the model.json the page loads was
 * produced by spnas from a network it built itself, never copied from the source directory.
 */
import * as fs from 'node:fs';
import type * as TF from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors';
import { exportModel, loadModel } from '../nas/model-export';
import { architectureToString } from '../space/architecture';
import { parseSearchSpace } from '../space/spec';
import { publishArtifact } from '../storage/artifact';
import type { ObjectStore } from '../storage/object-store';
import { bundlePage } from './bundle';
import { contentTypeOf } from './local-server';
import { WEB_PAGE_INFO, type WebPageInfo } from './web-page-info';

export const WEB_PAGE_KIND = 'spnas-web-page';

export interface WebExportResult {
  /** Where the page is, and the files written (relative to it). */
  uri: string;
  files: string[];
  architecture: string;
  labels: string[];
}

/**
 * Class names from `--labels`: a file with one name per line (classes.txt), or names separated by commas.
 * Throws InvalidInputError unless there is exactly one non-empty name per class.
 */
export function parseLabels(value: string, numClasses: number): string[] {
  const fromFile = fs.existsSync(value) && fs.statSync(value).isFile();
  const names = (fromFile ? fs.readFileSync(value, 'utf8').split(/\r?\n/) : value.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const where = fromFile ? `--labels file '${value}'` : '--labels';
  if (names.length !== numClasses)
    throw new InvalidInputError(`${where} gives ${names.length} class names, but the model has ${numClasses} classes: give one per class, in label order`);
  const long = names.find((n) => n.length > 100);
  if (long) throw new InvalidInputError(`${where}: class name '${long.slice(0, 40)}...' is longer than 100 characters`);
  return names;
}

/** Verifies the model at `src`, writes it and the page to `dst`. `labels` is the raw --labels value. */
export async function exportWebPage(tf: typeof TF, src: ObjectStore, dst: ObjectStore, labels?: string): Promise<WebExportResult> {
  const { model, meta } = await loadModel(tf, src, '', (v) => parseSearchSpace(v, `${src.uri} space`));
  const { space } = meta;
  let names: string[];
  try {
    names = labels !== undefined ? parseLabels(labels, space.numClasses) : Array.from({ length: space.numClasses }, (_, i) => `class ${i}`);
    await exportModel(tf, model, dst, 'model', meta);
  } finally {
    model.dispose();
  }
  const info: WebPageInfo = {
    model: 'model/model.json',
    architecture: architectureToString(meta.architecture),
    space: {
      name: space.name,
      inputSize: space.inputSize,
      inputChannels: space.inputChannels,
      numClasses: space.numClasses,
      normalization: { mean: [...space.normalization.mean], std: [...space.normalization.std] },
    },
    labels: names,
    // the page shows numbers only (top-1, latency); labels such as the backend stay in the manifest
    metrics: Object.fromEntries(Object.entries(meta.metrics ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number')),
  };
  const page = await bundlePage('classify');
  // Content types go with the files so the page also works from an S3 bucket served as a static site.
  const files = [...page].map(([p, f]) => ({
    path: p.slice(1),
    data: typeof f.body === 'string' ? new TextEncoder().encode(f.body) : f.body,
    contentType: contentTypeOf(p),
  }));
  files.push({ path: WEB_PAGE_INFO, data: new TextEncoder().encode(JSON.stringify(info, null, 2) + '\n'), contentType: contentTypeOf(WEB_PAGE_INFO) });
  const manifest = await publishArtifact(dst, '', WEB_PAGE_KIND, files, {
    architecture: info.architecture,
    space: space.name,
    model: 'model/',
    source: src.uri,
  });
  return { uri: dst.uri, files: [...manifest.files.map((f) => f.path), 'model/'], architecture: info.architecture, labels: names };
}
