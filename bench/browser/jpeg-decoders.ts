/**
 * Bench (not a test): how far apart three JPEG decoders put the pixels of real CIFAR-10 images:
 * jpeg-js (what spnas trains on), Chromium's (what the exported model page sees) and TensorFlow's
 * decode_jpeg through tfjs-node (libjpeg-turbo). Absolute differences in 0..255 levels over every
 * channel value of the first N images of a shard.
 *
 *   node --import tsx bench/browser/jpeg-decoders.ts [--images 40] [--shard ../shared/data/cifar10-jpeg/train-000004.tar]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage } from '../../src/data/decode';
import { openSampleSource } from '../../src/data/source';
import { withBrowser } from '../../test/support/browser';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '40' },
    shard: { type: 'string', default: path.resolve(__dirname, '../../../shared/data/cifar10-jpeg/train-000004.tar') },
  },
});

interface PageGlobals {
  createImageBitmap(b: unknown, o: object): Promise<{ width: number; height: number }>;
  Blob: new (parts: unknown[], o: object) => unknown;
  atob(s: string): string;
  document: {
    createElement(t: 'canvas'): {
      width: number;
      height: number;
      getContext(t: '2d', o: object): { drawImage(...a: unknown[]): void; getImageData(...a: number[]): { data: ArrayLike<number> } };
    };
  };
}

function stats(a: ArrayLike<number>[], b: ArrayLike<number>[]): string {
  let max = 0;
  let sum = 0;
  let n = 0;
  let differ = 0;
  a.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i]! - b[k]![i]!);
      max = Math.max(max, d);
      sum += d;
      differ += d > 0 ? 1 : 0;
      n++;
    }
  });
  return `mean |diff| ${(sum / n).toFixed(2)}, max ${max}, values that differ ${((100 * differ) / n).toFixed(0)}%`;
}

async function main(): Promise<void> {
  const tfnode = require('@tensorflow/tfjs-node') as { node: { decodeJpeg(b: Uint8Array, c: number): { dataSync(): Uint8Array; dispose(): void } } };
  const jpegs: Uint8Array[] = [];
  for await (const s of (await openSampleSource(values.shard!)).samples()) {
    jpegs.push(s.encoded!);
    if (jpegs.length === Number(values.images)) break;
  }
  const jpegjs = jpegs.map((j, i) => decodeImage(j, `image ${i}`, 3).data);
  const tf = jpegs.map((j) => {
    const t = tfnode.node.decodeJpeg(j, 3);
    const d = t.dataSync().slice();
    t.dispose();
    return d;
  });
  const chromium: number[][] = [];
  await withBrowser(async (b) => {
    const page = await b.open('about:blank');
    for (const j of jpegs) {
      // Same decode as the model page: createImageBitmap without colour management, then a canvas at size.
      const rgba = await page.evaluate(async (b64) => {
        const g = globalThis as unknown as PageGlobals;
        const bm = await g.createImageBitmap(new g.Blob([Uint8Array.from(g.atob(b64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' }), {
          colorSpaceConversion: 'none',
          premultiplyAlpha: 'none',
        });
        const c = g.document.createElement('canvas');
        c.width = bm.width;
        c.height = bm.height;
        const ctx = c.getContext('2d', { willReadFrequently: true });
        ctx.drawImage(bm, 0, 0);
        return Array.from(ctx.getImageData(0, 0, bm.width, bm.height).data);
      }, Buffer.from(j).toString('base64'));
      chromium.push(rgba.filter((_, i) => i % 4 !== 3));
    }
  });
  process.stdout.write(`${jpegs.length} images of ${values.shard}\n`);
  process.stdout.write(`jpeg-js vs Chromium:            ${stats(jpegjs, chromium)}\n`);
  process.stdout.write(`jpeg-js vs TF decode_jpeg:      ${stats(jpegjs, tf)}\n`);
  process.stdout.write(`Chromium vs TF decode_jpeg:     ${stats(chromium, tf)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
