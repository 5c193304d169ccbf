/**
 * Size limits checked on a PNG's header before pngjs allocates anything.
 *
 * A PNG is a zlib stream behind a 13-byte header that declares the size: a few kilobytes can claim
 * 50,000 x 50,000 pixels, and pngjs allocates the whole inflate buffer from the header before it reads
 * a byte of pixel data. Interlaced images are worse: pngjs inflates them with no output limit at all,
 * so a header that claims 8 x 8 pixels can be followed by a stream that inflates to gigabytes. So:
 *   - the header's pixel count and the memory its decoding needs are capped (the JPEG decoder's caps);
 *   - an interlaced image's stream is inflated once with an output limit of exactly what its header
 *     declares, before pngjs sees it (non-interlaced streams are already bounded by pngjs).
 */
import * as zlib from 'node:zlib';

/** The limits of both decoders (jpeg-js enforces the same two numbers for JPEG). */
export const IMAGE_LIMITS = { maxMegapixels: 100, maxMemoryMB: 256 } as const;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Samples per pixel by PNG colour type (gray, -, RGB, palette, gray+alpha, -, RGBA). */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/** The IHDR fields, or undefined when the bytes do not start like a PNG (pngjs then reports why). */
export function readPngHeader(bytes: Uint8Array): PngHeader | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.byteLength < 33 || !b.subarray(0, 8).equals(SIGNATURE) || b.readUInt32BE(8) !== 13 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bitDepth: b[24]!, colorType: b[25]!, interlaced: b[28] === 1 };
}

/** Bytes of the filtered scanlines the zlib stream must inflate to (each row: a filter byte + pixels). */
export function inflatedSize(h: PngHeader): number {
  const bitsPerPixel = (SAMPLES[h.colorType] ?? 4) * h.bitDepth;
  const rows = (w: number, n: number) => (w > 0 && n > 0 ? n * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!h.interlaced) return rows(h.width, h.height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy)), 0);
}

/**
 * Why this PNG must not be decoded, or undefined when it is within the limits. Checks only the
 * header, except for interlaced images, whose stream is inflated once under an output limit.
 */
export function pngLimitViolation(bytes: Uint8Array): string | undefined {
  const h = readPngHeader(bytes);
  if (!h) return undefined;
  const megapixels = (h.width * h.height) / 1e6;
  const raw = inflatedSize(h);
  // pngjs holds the inflated scanlines and the RGBA output (8 bytes a pixel at 16 bits) at once.
  const memoryMB = (raw + h.width * h.height * 4 * (h.bitDepth === 16 ? 2 : 1)) / (1024 * 1024);
  const declared = `its header declares ${h.width} x ${h.height} pixels`;
  if (megapixels > IMAGE_LIMITS.maxMegapixels) return `${declared} (${megapixels.toFixed(0)} MP; the limit is ${IMAGE_LIMITS.maxMegapixels} MP)`;
  if (memoryMB > IMAGE_LIMITS.maxMemoryMB) return `${declared}, which needs ${memoryMB.toFixed(0)} MB to decode (the limit is ${IMAGE_LIMITS.maxMemoryMB} MB)`;
  if (h.interlaced) {
    try {
      zlib.inflateSync(idatStream(bytes), { maxOutputLength: Math.max(raw, 1) });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        return `its pixel data inflates beyond the ${raw} bytes that ${declared} (a decompression bomb)`;
      // Any other inflate error is pngjs's to report.
    }
  }
  return undefined;
}

/** The concatenated IDAT chunk payloads (the zlib stream), walking chunks without trusting lengths. */
function idatStream(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Buffer[] = [];
  for (let at = 8; at + 12 <= b.byteLength;) {
    const len = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    const end = Math.min(at + 8 + len, b.byteLength);
    if (type === 'IDAT') parts.push(b.subarray(at + 8, end));
    if (type === 'IEND') break;
    at = end + 4;
  }
  return Buffer.concat(parts);
}
