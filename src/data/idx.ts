/**
 * IDX files (MNIST, Fashion-MNIST): a big-endian header (magic 0x0000 <type> <ndims>, then ndims
 * uint32 sizes) followed by the raw array. Gzipped files are detected by their magic bytes and
 * inflated while streaming, and only the first `limit` items are read.
 */
import { createGunzip } from 'node:zlib';
import { pipeline, Readable } from 'node:stream';
import { DataError } from '../errors';
import type { ObjectStore } from '../storage';

/** An IDX array of unsigned bytes (type 0x08, the only type MNIST-style data uses). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

async function* maybeGunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it };
  async function* all() {
    yield first.value;
    yield* rest;
  }
  if (first.value[0] === 0x1f && first.value[1] === 0x8b) {
    // pipeline (not pipe) so that stopping early also closes the underlying file or HTTP body.
    for await (const c of pipeline(Readable.from(all()), createGunzip(), () => undefined)) yield c as Uint8Array;
  } else {
    yield* all();
  }
}

/**
 * Reads an IDX ubyte file from a store, stopping after `limit` items along the first dimension.
 * @throws DataError naming the object for a bad magic, an unsupported type, or a truncated body.
 */
export async function readIdx(store: ObjectStore, key: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<IdxArray> {
  const where = `${store.uri}/${key}`;
  let header: Uint8Array | undefined;
  let dims: number[] = [];
  let out: Uint8Array | undefined;
  let filled = 0;
  let pending = new Uint8Array(0);
  const stream = maybeGunzip(store.getStream(key, { signal: opts.signal }));
  try {
    await consume();
  } catch (err) {
    if (err instanceof DataError || (err as { code?: string }).code === 'NOT_FOUND') throw err;
    if ((err as { code?: string }).code?.startsWith('Z_'))
      throw new DataError(`corrupt gzip in IDX file ${where}: ${(err as Error).message}`, { code: 'CORRUPT_IDX', cause: err });
    throw err;
  }
  if (!out || filled < out.byteLength) {
    throw new DataError(`truncated IDX file: ${where}: ${filled} of ${out?.byteLength ?? '?'} data bytes`, { code: 'TRUNCATED_IDX' });
  }
  return { dims, data: out };

  // Fills `out` from the stream; a function so that zlib errors can be mapped in one place.
  async function consume(): Promise<void> {
    for await (const chunk of stream) {
      let buf = pending.byteLength ? new Uint8Array(Buffer.concat([pending, chunk])) : chunk;
      if (!header) {
        if (buf.byteLength < 4 || buf.byteLength < 4 + 4 * buf[3]!) {
          pending = buf.slice();
          continue;
        }
        if (buf[0] !== 0 || buf[1] !== 0)
          throw new DataError(`not an IDX file: ${where} (magic ${Buffer.from(buf.subarray(0, 4)).toString('hex')})`, { code: 'CORRUPT_IDX' });
        if (buf[2] !== 0x08)
          throw new DataError(`unsupported IDX element type 0x${buf[2]!.toString(16)} in ${where}: only unsigned bytes (0x08)`, { code: 'CORRUPT_IDX' });
        const nd = buf[3]!;
        const view = new DataView(buf.buffer, buf.byteOffset, 4 + 4 * nd);
        dims = Array.from({ length: nd }, (_, i) => view.getUint32(4 + 4 * i));
        header = buf.subarray(0, 4 + 4 * nd);
        const count = Math.min(dims[0] ?? 0, opts.limit ?? Infinity);
        dims[0] = count;
        out = new Uint8Array(dims.reduce((a, b) => a * b, 1));
        buf = buf.subarray(header.byteLength);
      }
      pending = new Uint8Array(0);
      const take = Math.min(buf.byteLength, out!.byteLength - filled);
      out!.set(buf.subarray(0, take), filled);
      filled += take;
      if (filled === out!.byteLength) break;
    }
  }
}
