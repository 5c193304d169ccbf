/**
 * The model page that `spnas export --web` writes: loads the exported TF.js model, measures its latency
 * on the backend this browser offers (the same warm-up and median as `spnas eval`), and classifies the
 * images dropped on it.
 *
 * Preprocessing is the training data loader's: the whole image resized to the input size (no crop),
 * RGB, then (v / 255 - mean) / std per channel through the loader's own lookup table.
 */
import type * as TF from '@tensorflow/tfjs';
import { normalisationTable } from '../../data/augment';
import { latencySamples } from '../../nas/model-timing';
import { quantile } from '../../latency/statistic';
import { checkBackendPreference } from '../backends';
import { WEB_PAGE_INFO, type WebPageInfo } from '../web-page-info';
import { chooseBackend, tf } from './tf-backend';

const $ = (id: string) => document.getElementById(id)!;
const show = (id: string, text: string) => ($(id).textContent = text);

interface Classified {
  top: number;
  probs: Float32Array;
  ms: number;
}

/** Decodes an image file with the browser's own decoder and returns the normalised NHWC input. */
async function toInput(file: Blob, info: WebPageInfo, lut: Float32Array): Promise<TF.Tensor4D> {
  const size = info.space.inputSize;
  // No colour management and no premultiplication: the pixels as stored, like the Node decoder.
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, size, size);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const x = new Float32Array(size * size * 3);
  for (let i = 0, j = 0; i < size * size; i++, j += 4) {
    x[i * 3] = lut[rgba[j]!]!;
    x[i * 3 + 1] = lut[256 + rgba[j + 1]!]!;
    x[i * 3 + 2] = lut[512 + rgba[j + 2]!]!;
  }
  return tf.tensor4d(x, [1, size, size, 3]);
}

async function classify(model: TF.LayersModel, input: TF.Tensor4D): Promise<Classified> {
  const t0 = performance.now();
  const logits = model.predict(input) as TF.Tensor;
  const z = (await logits.data()) as Float32Array;
  const ms = performance.now() - t0;
  logits.dispose();
  input.dispose();
  let top = 0;
  for (let i = 1; i < z.length; i++) if (z[i]! > z[top]!) top = i;
  const exp = z.map((v) => Math.exp(v - z[top]!));
  const sum = exp.reduce((a, b) => a + b, 0);
  return { top, probs: exp.map((v) => v / sum), ms };
}

function render(file: File, r: Classified, info: WebPageInfo): HTMLLIElement {
  const li = document.createElement('li');
  Object.assign(li.dataset, { file: file.name, class: String(r.top), label: info.labels[r.top], prob: r.probs[r.top]!.toFixed(6), ms: r.ms.toFixed(3) });
  const img = Object.assign(document.createElement('img'), { src: URL.createObjectURL(file), alt: file.name });
  const text = document.createElement('div');
  text.append(
    Object.assign(document.createElement('div'), { className: 'top', textContent: `${info.labels[r.top]} (${(100 * r.probs[r.top]!).toFixed(1)}%)` }),
  );
  const bars = Object.assign(document.createElement('div'), { className: 'bars' });
  const order = [...r.probs.keys()].sort((a, b) => r.probs[b]! - r.probs[a]!).slice(0, 3);
  for (const k of order) {
    const bar = Object.assign(document.createElement('span'), { className: 'b' });
    bar.style.width = `${(100 * r.probs[k]!).toFixed(1)}%`;
    bars.append(
      Object.assign(document.createElement('span'), { textContent: info.labels[k] }),
      bar,
      Object.assign(document.createElement('span'), { textContent: `${(100 * r.probs[k]!).toFixed(1)}%` }),
    );
  }
  text.append(bars, Object.assign(document.createElement('div'), { className: 'meta', textContent: `${file.name}: inference ${r.ms.toFixed(2)} ms` }));
  li.append(img, text);
  return li;
}

function fail(message: string): void {
  $('error').hidden = false;
  show('error', message);
  show('status', 'failed');
  document.body.dataset.state = 'failed';
}

async function main(): Promise<void> {
  if (location.protocol === 'file:') {
    throw new Error(
      'browsers do not let a page opened from disk load its model files: serve this directory, e.g. `spnas export --model <model> --web <dir> --serve`, or any static file server (`python3 -m http.server -d <dir>`), and open the http:// address it prints',
    );
  }
  const res = await fetch(WEB_PAGE_INFO);
  if (!res.ok) throw new Error(`cannot read ${WEB_PAGE_INFO} (${res.status}): is this the directory that \`spnas export --web\` wrote?`);
  const info = (await res.json()) as WebPageInfo;
  show('arch', `${info.architecture} (${info.space.name})`);
  show(
    'accuracy',
    info.metrics.valTop1 !== undefined ? `${(100 * info.metrics.valTop1).toFixed(1)}% (${info.metrics.valCount ?? '?'} images)` : 'not recorded',
  );
  const be = await chooseBackend(checkBackendPreference(new URLSearchParams(location.search).get('backend') ?? 'auto', 'the ?backend= parameter'), 'wasm/');
  show('backend', `${be.name} (${be.detail})`);

  show('status', 'loading the model...');
  // Same-origin model.json, written by spnas from a network it rebuilt and verified (docs/browser.md).
  const model = await tf.loadLayersModel(info.model);
  const { inputSize: s, numClasses } = info.space;
  const inShape = model.inputs[0]!.shape.slice(1).join('x');
  const outUnits = model.outputs[0]!.shape[1];
  if (inShape !== `${s}x${s}x3` || outUnits !== numClasses) {
    throw new Error(`the model does not match ${WEB_PAGE_INFO}: input ${inShape}, ${outUnits} classes; expected ${s}x${s}x3 and ${numClasses}`);
  }
  show('status', 'measuring latency...');
  const [samples] = await latencySamples(tf, [{ label: 'model', model, inputShape: [s, s, 3] }], { warmup: 5, repeats: 30 });
  const latency = quantile(samples!, 0.5);
  show('latency', `${latency.toFixed(2)} ms per image (batch 1, median of 30 after 5 warm-up runs, ${be.name})`);
  document.body.dataset.latencyMs = latency.toFixed(4);
  document.body.dataset.backend = be.name;

  const lut = normalisationTable(3, info.space.normalization.mean, info.space.normalization.std);
  const results = $('results');
  let queue = Promise.resolve();
  const handle = (list: FileList) => {
    const files = Array.from(list); // a FileList is live: the input is cleared below, before this runs
    queue = queue.then(async () => {
      for (const file of files) {
        try {
          results.prepend(render(file, await classify(model, await toInput(file, info, lut)), info));
        } catch (err) {
          const li = Object.assign(document.createElement('li'), {
            className: 'error',
            textContent: `${file.name}: not an image this browser can decode (${(err as Error).message})`,
          });
          li.dataset.file = file.name;
          li.dataset.error = 'true';
          results.prepend(li);
        }
      }
      document.body.dataset.classified = String(results.children.length);
    });
  };
  const input = $('file') as HTMLInputElement;
  input.addEventListener('change', () => {
    if (input.files) handle(input.files);
    input.value = '';
  });
  // The whole window takes drops (a near miss must not make the browser navigate to the image).
  const drop = $('drop');
  window.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  window.addEventListener('dragleave', () => drop.classList.remove('over'));
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) handle(e.dataTransfer.files);
  });
  show('status', 'ready: drop images');
  document.body.dataset.state = 'ready';
}

main().catch((err: unknown) => fail((err as Error).message ?? String(err)));
