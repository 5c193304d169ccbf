/** JPEG/PNG decoding in pure JS (jpeg-js, pngjs) to packed RGB or grayscale uint8 (HWC). */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from '../errors';
import { IMAGE_LIMITS, pngLimitViolation } from './png-guard';

/** A decoded image: `data` is HWC uint8, length height * width * channels. */
export interface RawImage {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/** The formats the readers accept, by file extension (lower case, without the dot). */
export const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png']);

/** Sniffs the format from magic bytes, so a misnamed file still decodes (or fails clearly). */
function sniff(bytes: Uint8Array): 'jpeg' | 'png' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  return undefined;
}

/** Drops alpha / expands gray so every image has `channels` (1 or 3) channels. */
function fromRgba(rgba: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(n * channels);
  if (channels === 3) {
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      out[i * 3] = rgba[j]!;
      out[i * 3 + 1] = rgba[j + 1]!;
      out[i * 3 + 2] = rgba[j + 2]!;
    }
  } else {
    // ITU-R BT.601 luma, the usual RGB -> gray weights.
    for (let i = 0, j = 0; i < n; i++, j += 4) out[i] = Math.round(0.299 * rgba[j]! + 0.587 * rgba[j + 1]! + 0.114 * rgba[j + 2]!);
  }
  return out;
}

/**
 * Decodes a JPEG or PNG to `channels` channels (3 = RGB, 1 = gray).
 * @param where names the sample in errors, e.g. `train-000001.tar: sample 'cat_12'`.
 * @throws DataError naming `where`: code CORRUPT_IMAGE when the bytes are not a decodable image,
 *   IMAGE_TOO_LARGE (before any large allocation) when it exceeds IMAGE_LIMITS (decompression bombs).
 */
export function decodeImage(bytes: Uint8Array, where: string, channels: 1 | 3 = 3): RawImage {
  const kind = sniff(bytes);
  const tooLarge = (why: string) => new DataError(`image too large: ${where}: ${why}`, { code: 'IMAGE_TOO_LARGE' });
  if (kind === 'png') {
    const why = pngLimitViolation(bytes);
    if (why) throw tooLarge(why);
  }
  try {
    if (kind === 'jpeg') {
      // formatAsRGBA keeps one code path for gray and colour JPEGs; jpeg-js checks both caps on the header.
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxMemoryUsageInMB: IMAGE_LIMITS.maxMemoryMB,
        maxResolutionInMP: IMAGE_LIMITS.maxMegapixels,
      });
      return { data: fromRgba(img.data, img.width, img.height, channels), height: img.height, width: img.width, channels };
    }
    if (kind === 'png') {
      const img = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { data: fromRgba(img.data, img.width, img.height, channels), height: img.height, width: img.width, channels };
    }
  } catch (err) {
    const msg = String((err as Error).message ?? err);
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test(msg))
      throw tooLarge(`${msg} (the limits are ${IMAGE_LIMITS.maxMegapixels} MP and ${IMAGE_LIMITS.maxMemoryMB} MB)`);
    throw new DataError(`corrupt image: ${where}: ${(err as Error).message ?? err}`, { code: 'CORRUPT_IMAGE', cause: err });
  }
  throw new DataError(`corrupt image: ${where}: neither JPEG nor PNG (first bytes ${Buffer.from(bytes.subarray(0, 4)).toString('hex') || 'none'})`, {
    code: 'CORRUPT_IMAGE',
  });
}

/**
 * Bilinear resize (half-pixel centres, as TF's `resize_bilinear` with half_pixel_centers and
 * PIL), HWC uint8 in and out. Returns the input unchanged when the size already matches.
 */
export function resizeBilinear(img: RawImage, height: number, width: number): RawImage {
  if (img.height === height && img.width === width) return img;
  const { data: src, channels: c, height: sh, width: sw } = img;
  const out = new Uint8Array(height * width * c);
  const sy = sh / height;
  const sx = sw / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let k = 0; k < c; k++) {
        const a = src[(y0 * sw + x0) * c + k]!;
        const b = src[(y0 * sw + x1) * c + k]!;
        const d = src[(y1 * sw + x0) * c + k]!;
        const e = src[(y1 * sw + x1) * c + k]!;
        const top = a + (b - a) * wx;
        const bottom = d + (e - d) * wx;
        out[(y * width + x) * c + k] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return { data: out, height, width, channels: c };
}
