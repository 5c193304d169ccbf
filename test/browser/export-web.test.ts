// `spnas export --web`: the page loads the exported model with TF.js in real headless Chromium and
// classifies real CIFAR-10 images, decoded by the browser through the page's own file-input and
// drag-and-drop paths, with the same top-1 as the Node safe loader.
//
// Two sets of the same 40 images: PNGs of the pixels Node decodes (lossless, so both sides see identical
// pixels: top-1 must agree on every image), and the original JPEGs, which the browser decodes with
// libjpeg-turbo and Node with jpeg-js; those decoders differ by up to ~50 levels at colour edges
// (docs/browser.md), so a near-tie may flip there and the test bounds how.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { loadTf } from '../../src/backend/tf';
import { decodeImage } from '../../src/data/decode';
import { normalisationTable } from '../../src/data/augment';
import { openSampleSource } from '../../src/data/source';
import { loadModel } from '../../src/nas/model-export';
import { parseSearchSpace } from '../../src/space/spec';
import { openStore } from '../../src/storage/open-store';
import { PNG } from 'pngjs';
import { CIFAR_DIR } from '../data/fixtures';
import { startS3Server } from '../support/s3-server';
import { dropFiles, waitForCount, withBrowser } from '../support/browser';
import { jsonOut, spnas } from '../support/run-cli';

const CIFAR10 = 'airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck';
const IMAGES = 40;

interface Image {
  key: string;
  jpeg: Buffer;
  /** The pixels Node decodes from `jpeg`, as a lossless PNG. */
  png: Buffer;
  /** Node's class probabilities (safe loader, jpeg-js, the training loader's normalisation). */
  probs: number[];
  top1: number;
}

/** The first `n` images of a shard the model was not trained on, with Node's predictions. */
async function realImages(modelDir: string, n: number): Promise<Image[]> {
  const { tf } = loadTf();
  const { model, meta } = await loadModel(tf, openStore(modelDir), '', (v) => parseSearchSpace(v));
  const lut = normalisationTable(3, meta.space.normalization.mean, meta.space.normalization.std);
  const src = await openSampleSource(path.join(CIFAR_DIR, 'train-000004.tar'));
  const out: Image[] = [];
  try {
    for await (const s of src.samples()) {
      const img = decodeImage(s.encoded!, s.key, 3);
      assert.equal(img.width, meta.space.inputSize, 'CIFAR images need no resizing');
      const x = Float32Array.from(img.data, (v, i) => lut[(i % 3) * 256 + v]!);
      const probs = tf.tidy(() =>
        Array.from(tf.softmax(model.predict(tf.tensor4d(x, [1, img.height, img.width, 3])) as ReturnType<typeof tf.zeros>).dataSync()),
      );
      const rgba = new PNG({ width: img.width, height: img.height });
      for (let i = 0; i < img.width * img.height; i++) rgba.data.set([img.data[i * 3]!, img.data[i * 3 + 1]!, img.data[i * 3 + 2]!, 255], i * 4);
      out.push({ key: s.key, jpeg: Buffer.from(s.encoded!), png: PNG.sync.write(rgba), probs, top1: probs.indexOf(Math.max(...probs)) });
      if (out.length === n) break;
    }
  } finally {
    model.dispose();
  }
  return out;
}

interface PageResult {
  top1: number;
  prob: number;
}

async function pageResults(page: Page, count: number): Promise<Map<string, PageResult>> {
  await waitForCount(page, '#results li', count);
  const rows = await page.$$eval('#results li', (lis) =>
    lis.map((li) => ({ file: li.dataset.file ?? '', top1: Number(li.dataset.class), prob: Number(li.dataset.prob), error: li.dataset.error })),
  );
  assert.deepEqual(
    rows.filter((r) => r.error),
    [],
    'every image decodes in the page',
  );
  return new Map(rows.map((r) => [r.file, { top1: r.top1, prob: r.prob }]));
}

async function classifyInPage(page: Page, files: Array<{ name: string; mimeType: string; buffer: Buffer }>, already: number): Promise<Map<string, PageResult>> {
  await page.setInputFiles('#file', files);
  return pageResults(page, already + files.length);
}

/** The same page written to S3 keeps its content types, so a bucket served as a static site works. */
async function webPageOnS3(model: string): Promise<void> {
  const s3 = await startS3Server();
  try {
    const x = spnas(['export', '--model', model, '--web', `s3://${s3.bucket}/web`, '--json'], { env: s3.env });
    assert.equal(x.code, 0, x.stderr);
    const types: Array<[string, RegExp]> = [
      ['index.html', /^text\/html/],
      ['classify.js', /^text\/javascript/],
      ['wasm/tfjs-backend-wasm-simd.wasm', /^application\/wasm$/],
      ['spnas-web.json', /^application\/json/],
    ];
    for (const [key, type] of types) {
      const res = await fetch(`${s3.endpoint}/${s3.bucket}/web/${key}`);
      assert.equal(res.status, 200, key);
      assert.match(res.headers.get('content-type') ?? '', type, key);
    }
  } finally {
    await s3.stop();
  }
}

test('an exported model in Chromium (WASM) gives the same top-1 as in Node on real CIFAR-10 images', { timeout: 900_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-web-'));
  try {
    // A real (briefly) trained model, so predictions differ between images.
    const arch = path.join(dir, 'arch.json');
    fs.writeFileSync(
      arch,
      JSON.stringify({
        space: 'cifar-tiny',
        layers: [
          { op: 'mbconv', kernel: 3, expansion: 3, se: false },
          { op: 'mbconv', kernel: 5, expansion: 6, se: true },
          { op: 'mbconv', kernel: 3, expansion: 6, se: false },
          { op: 'skip' },
          { op: 'mbconv', kernel: 5, expansion: 3, se: true },
        ],
      }),
    );
    const shard = path.join(CIFAR_DIR, 'train-000000.tar');
    const t = spnas(
      [
        'train',
        '--arch',
        arch,
        '--data',
        shard,
        '--limit',
        '600',
        '--val-count',
        '100',
        '--epochs',
        '2',
        '--batch-size',
        '50',
        '--out',
        path.join(dir, 'train'),
        '--json',
      ],
      { timeoutMs: 600_000 },
    );
    assert.equal(t.code, 0, t.stderr);
    const model = path.join(dir, 'train', 'model');
    const web = path.join(dir, 'web');
    const x = spnas(['export', '--model', model, '--web', web, '--labels', CIFAR10, '--json']);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(jsonOut(x).architecture, 'k3e3,k5e6+se,k3e6,skip,k5e3+se');
    for (const f of [
      'index.html',
      'classify.js',
      'spnas-web.json',
      'manifest.json',
      'model/model.json',
      'model/manifest.json',
      'wasm/tfjs-backend-wasm-simd.wasm',
    ])
      assert.ok(fs.existsSync(path.join(web, f)), f);

    await webPageOnS3(model);

    const images = await realImages(model, IMAGES);
    assert.ok(
      new Set(images.map((im) => im.top1)).size >= 3,
      `the trained model tells images apart (Node predicted classes ${[...new Set(images.map((im) => im.top1))]})`,
    );

    await withBrowser(async (b) => {
      const site = await b.serve(web, { crossOriginIsolated: true });
      const page = await b.open(`${site.url}?backend=wasm`);
      await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 180_000 });
      assert.equal(await page.getAttribute('body', 'data-backend'), 'wasm');
      assert.ok(Number(await page.getAttribute('body', 'data-latency-ms')) > 0, 'the page shows a measured latency');
      assert.match((await page.textContent('#latency')) ?? '', /ms per image/);

      // Identical pixels (PNG): all but one through the file input, the last dropped on the page.
      const [dropped, ...chosen] = images;
      await classifyInPage(
        page,
        chosen.map((im) => ({ name: `${im.key}.png`, mimeType: 'image/png', buffer: im.png })),
        0,
      );
      await dropFiles(page, '#drop', [{ name: `${dropped!.key}.png`, mimeType: 'image/png', buffer: dropped!.png }]);
      const png = await pageResults(page, images.length);
      const differ = images
        .filter((im) => png.get(`${im.key}.png`)?.top1 !== im.top1)
        .map((im) => `${im.key}: browser ${png.get(`${im.key}.png`)?.top1}, node ${im.top1}`);
      assert.deepEqual(differ, [], 'same top-1 in the browser as in Node on every image');
      for (const im of images)
        assert.ok(
          Math.abs(png.get(`${im.key}.png`)!.prob - im.probs[im.top1]!) < 1e-3,
          `${im.key}: same probability (${png.get(`${im.key}.png`)!.prob} vs ${im.probs[im.top1]})`,
        );
      assert.equal(await page.getAttribute('#results li:first-child', 'data-label'), CIFAR10.split(',')[dropped!.top1], 'the page names classes with --labels');

      // The original JPEGs, decoded by the browser's own decoder.
      const jpg = await classifyInPage(
        page,
        images.map((im) => ({ name: `${im.key}.jpg`, mimeType: 'image/jpeg', buffer: im.jpeg })),
        images.length,
      );
      const flips = images.filter((im) => jpg.get(`${im.key}.jpg`)!.top1 !== im.top1);
      console.log(
        `JPEG decoded by Chromium: ${images.length - flips.length}/${images.length} same top-1 as Node (jpeg-js); flips: ${flips.map((im) => `${im.key} node ${im.top1} (p ${im.probs[im.top1]!.toFixed(3)}) -> browser ${jpg.get(`${im.key}.jpg`)!.top1}`).join(', ') || 'none'}`,
      );
      assert.ok(flips.length <= images.length / 10, `at most 10% of JPEGs flip between decoders (${flips.length})`);
      for (const im of flips) assert.ok(im.probs[im.top1]! < 0.5, `${im.key}: only unsure predictions flip (Node p = ${im.probs[im.top1]})`);
      await b.screenshot(page, path.join(dir, 'page.png'));
      assert.deepEqual(b.consoleErrors, []);
      assert.deepEqual(b.offHostRequests(), [], 'the page loads nothing from outside this machine');
      assert.ok(
        b.requests.some((r) => r.url.endsWith('/model/model.json')),
        'the page loaded model.json',
      );
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
