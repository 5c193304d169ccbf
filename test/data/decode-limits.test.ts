import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { buildTar, decodeImage, loadImageDataset } from '../../src/data';
import { DataError } from '../../src/errors';
import { jpg, png, sample } from './fixtures';

/** One PNG chunk: length, type, data, CRC of type + data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.byteLength, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG from a header and an already filtered-and-compressed stream (what a hostile file controls). */
function rawPng(h: { width: number; height: number; bitDepth?: number; colorType?: number; interlaced?: boolean }, idat: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(h.width, 0);
  ihdr.writeUInt32BE(h.height, 4);
  ihdr[8] = h.bitDepth ?? 8;
  ihdr[9] = h.colorType ?? 0;
  ihdr[12] = h.interlaced ? 1 : 0;
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]));
}

function tooLarge(bytes: Uint8Array, where: string, why: RegExp): void {
  assert.throws(
    () => decodeImage(bytes, where),
    (e: unknown) => {
      assert.ok(e instanceof DataError, String(e));
      assert.equal(e.code, 'IMAGE_TOO_LARGE', e.message);
      assert.ok(e.message.includes(where), `names the sample: ${e.message}`);
      assert.match(e.message, why);
      return true;
    },
  );
}

test('a PNG whose header declares too many pixels is refused from the header, before decoding', () => {
  // 60,000 x 60,000 gray: pngjs would allocate a 3.6 GB inflate buffer from these 60 bytes.
  tooLarge(
    rawPng({ width: 60_000, height: 60_000 }, zlib.deflateSync(Buffer.alloc(60_001))),
    "shard.tar: sample 'huge'",
    /60000 x 60000 pixels \(3600 MP; the limit is 100 MP\)/,
  );
  // 9,000 x 9,000 RGBA at 16 bits: under 100 MP, but ~1.2 GB to decode.
  tooLarge(
    rawPng({ width: 9000, height: 9000, bitDepth: 16, colorType: 6 }, zlib.deflateSync(Buffer.alloc(16))),
    'big.png',
    /needs \d+ MB to decode \(the limit is 256 MB\)/,
  );
});

test('an interlaced PNG whose stream inflates beyond its header (decompression bomb) is refused', () => {
  // 8 x 8 declared (a few dozen bytes of scanlines), 32 MB of zeros in the stream: ~32 KB on disk.
  const bomb = rawPng({ width: 8, height: 8, interlaced: true }, zlib.deflateSync(Buffer.alloc(32 * 1024 * 1024)));
  assert.ok(bomb.byteLength < 100_000);
  tooLarge(bomb, "bomb-000000.tar: sample 'b'", /inflates beyond the \d+ bytes .* decompression bomb/);
});

test('legitimate PNGs still decode: interlaced (Adam7, odd sizes) and plain', () => {
  // A 13 x 11 gray interlaced image, value = 7x + 3y, filter 0 on every row of every pass.
  const [w, h] = [13, 11];
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0!; y < h; y += dy!) {
      const xs: number[] = [];
      for (let x = x0!; x < w; x += dx!) xs.push(7 * x + 3 * y);
      if (xs.length) rows.push(0, ...xs);
    }
  }
  const img = decodeImage(rawPng({ width: w, height: h, interlaced: true }, zlib.deflateSync(Buffer.from(rows))), 'adam7.png', 1);
  assert.equal(img.width, w);
  assert.equal(img.height, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) assert.equal(img.data[y * w + x], 7 * x + 3 * y, `pixel ${x},${y}`);
  const plain = decodeImage(png(3, 9, 30, 20), 'plain.png');
  assert.deepEqual([...plain.data.subarray(0, 3)], [60, 9, 100]);
});

test('a JPEG whose frame header declares too many pixels is refused with the same code', () => {
  const bytes = Buffer.from(jpg(10, 20, 30, 8, 8));
  const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(sof > 0);
  bytes.writeUInt16BE(20_000, sof + 5); // height
  bytes.writeUInt16BE(20_000, sof + 7); // width
  tooLarge(new Uint8Array(bytes), 'wide.jpg', /maxResolutionInMP.*limits are 100 MP and 256 MB/);
});

test('through the dataset loader, the error names the shard and the sample', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spnas-bomb-'));
  try {
    const bomb = rawPng({ width: 50_000, height: 50_000, colorType: 2 }, zlib.deflateSync(Buffer.alloc(1024)));
    writeFileSync(join(dir, 'bomb-000000.tar'), buildTar([...sample('ok', 1, png(1, 1)), ...sample('evil', 2, bomb)]));
    await assert.rejects(
      loadImageDataset(dir),
      (e: unknown) => e instanceof DataError && e.code === 'IMAGE_TOO_LARGE' && /bomb-000000\.tar/.test(e.message) && /'evil'/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
