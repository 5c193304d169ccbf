/** A contact sheet of samples, encoded as PNG (for `spnas data inspect --grid`). */
import { PNG } from 'pngjs';
import type { RawImage } from './decode';

/**
 * Tiles images (all of size height x width) into a grid with a 2-pixel gap, RGB (gray is replicated).
 * @returns PNG bytes.
 */
export function encodeGridPng(images: RawImage[], columns = 8, gap = 2): Uint8Array {
  const h = images[0]?.height ?? 1;
  const w = images[0]?.width ?? 1;
  const cols = Math.max(1, Math.min(columns, images.length));
  const rows = Math.max(1, Math.ceil(images.length / cols));
  const png = new PNG({ width: cols * (w + gap) + gap, height: rows * (h + gap) + gap });
  png.data.fill(255);
  images.forEach((img, n) => {
    const x0 = gap + (n % cols) * (w + gap);
    const y0 = gap + Math.floor(n / cols) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = (y * w + x) * img.channels;
        const d = ((y0 + y) * png.width + x0 + x) * 4;
        for (let k = 0; k < 3; k++) png.data[d + k] = img.data[s + (img.channels === 3 ? k : 0)]!;
        png.data[d + 3] = 255;
      }
    }
  });
  return new Uint8Array(PNG.sync.write(png));
}
