// Generated datasets for the reader tests: images whose pixels encode their label and index, so
// every test can check exactly which sample arrived where.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { buildTar } from '../../src/data';

/** The CIFAR-10 shards as CI sees them: ../shared/data relative to the repo root. */
export const CIFAR_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'data', 'cifar10-jpeg');

/** A solid-colour RGB image: R = label * 20, G = index % 256, B = 100. PNG is lossless, so exact. */
export function png(label: number, index: number, h = 8, w = 8): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set([label * 20, index % 256, 100, 255], i * 4);
  return new Uint8Array(PNG.sync.write(p));
}

/** A JPEG of a solid colour (lossy: compare with a tolerance). */
export function jpg(r: number, g: number, b: number, h = 8, w = 8): Uint8Array {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([r, g, b, 255], i * 4);
  return new Uint8Array(jpeg.encode({ data, width: w, height: h }, 95).data);
}

/** Members of one WebDataset sample. */
export function sample(key: string, label: number | string, image: Uint8Array, ext = 'png'): { name: string; data: Uint8Array }[] {
  return [
    { name: `${key}.${ext}`, data: image },
    { name: `${key}.cls`, data: Buffer.from(String(label)) },
  ];
}

/**
 * Writes `shards` tar files of `perShard` samples into `dir` (train-000000.tar ...); sample i of
 * the whole set has label i % classes and key `s<i>`. Returns the expected [key, label] list.
 */
export function writeShards(dir: string, shards: number, perShard: number, classes = 10): [string, number][] {
  mkdirSync(dir, { recursive: true });
  const expected: [string, number][] = [];
  for (let s = 0; s < shards; s++) {
    const members = [];
    for (let j = 0; j < perShard; j++) {
      const i = s * perShard + j;
      expected.push([`s${i}`, i % classes]);
      members.push(...sample(`s${i}`, i % classes, png(i % classes, i)));
    }
    writeFileSync(join(dir, `train-${String(s).padStart(6, '0')}.tar`), buildTar(members));
  }
  return expected;
}

/** An IDX ubyte file (optionally gzipped). */
export function idx(dims: number[], data: Uint8Array, gz = false): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const raw = Buffer.concat([header, data]);
  return new Uint8Array(gz ? gzipSync(raw) : raw);
}
