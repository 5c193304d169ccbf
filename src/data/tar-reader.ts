/**
 * A streaming USTAR reader (POSIX.1-1988 ustar, plus pax `x` and GNU `L` long names, which Python's
 * tarfile and GNU tar emit for long paths). Memory is bounded by one member plus one input chunk, so
 * multi-GB shards stream from S3 without buffering.
 */
import { DataError } from '../errors';

/** One regular file inside a tar. */
export interface TarMember {
  /** Path inside the archive. */
  name: string;
  /** Content (may be a view into the input chunk: copy it to keep it beyond the next iteration). */
  data: Uint8Array;
  /** Byte offset of the member's header in the archive, for error messages. */
  offset: number;
}

const BLOCK = 512;

/** Pulls exact byte counts out of a chunked async source. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private avail = 0;
  private done = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Buffers until `n` bytes are available or the source ends; returns the bytes available (<= n). */
  async fill(n: number): Promise<number> {
    while (this.avail < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.byteLength > 0) {
        this.chunks.push(r.value);
        this.avail += r.value.byteLength;
      }
    }
    return Math.min(n, this.avail);
  }

  /** Removes and returns `n` buffered bytes (zero-copy when they lie in one chunk). */
  take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    if (first.byteLength - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    for (let got = 0; got < n;) {
      const c = this.chunks[0]!;
      const k = Math.min(n - got, c.byteLength - this.head);
      out.set(c.subarray(this.head, this.head + k), got);
      got += k;
      this.advance(k);
    }
    return out;
  }

  private advance(n: number): void {
    this.head += n;
    this.avail -= n;
    while (this.chunks.length > 0 && this.head >= this.chunks[0]!.byteLength) {
      this.head -= this.chunks[0]!.byteLength;
      this.chunks.shift();
    }
  }

  /** Stops the underlying source (closes the file or HTTP body). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

function cstring(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

function parseNumber(b: Uint8Array, start: number, len: number): number {
  if (b[start]! & 0x80) {
    // GNU base-256 for sizes >= 8 GiB: big-endian after the marker bit.
    let v = b[start]! & 0x7f;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = cstring(b, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === parseNumber(h, 148, 8);
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const text = Buffer.from(data).toString('utf8');
  for (let pos = 0; pos < text.length;) {
    const sp = text.indexOf(' ', pos);
    const len = parseInt(text.slice(pos, sp), 10);
    if (sp < 0 || !(len > 0)) break;
    const rec = text.slice(sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Yields the regular files of a tar stream in archive order. Directories, links and other entry
 * types are skipped.
 * @param where names the archive in errors (shard path or URI).
 * @throws DataError (code TRUNCATED_TAR / CORRUPT_TAR) naming the archive, the byte offset and the member.
 */
export async function* readTar(source: AsyncIterable<Uint8Array>, where: string): AsyncGenerator<TarMember> {
  const q = new ByteQueue(source);
  let offset = 0;
  let longName: string | undefined;
  let lastName = '(none)';
  try {
    for (;;) {
      const got = await q.fill(BLOCK);
      if (got < BLOCK) {
        const at = got === 0 ? `after member '${lastName}'` : `inside a header after member '${lastName}'`;
        throw new DataError(`truncated tar ${where}: archive ends at byte ${offset + got} ${at} without the end-of-archive marker`, { code: 'TRUNCATED_TAR' });
      }
      const h = q.take(BLOCK);
      if (h.every((x) => x === 0)) return;
      if (!checksumOk(h)) {
        throw new DataError(`corrupt tar ${where}: bad header checksum at byte ${offset} (after member '${lastName}')`, { code: 'CORRUPT_TAR' });
      }
      const type = String.fromCharCode(h[156]!);
      const ustar = cstring(h, 257, 6).startsWith('ustar');
      const prefix = ustar ? cstring(h, 345, 155) : '';
      let name = longName ?? (prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100));
      longName = undefined;
      const size = parseNumber(h, 124, 12);
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      const have = await q.fill(padded);
      if (have < padded) {
        throw new DataError(`truncated tar ${where}: member '${name}' at byte ${offset} has ${Math.min(have, size)} of ${size} bytes`, {
          code: 'TRUNCATED_TAR',
        });
      }
      const data = q.take(padded).subarray(0, size);
      const memberOffset = offset;
      offset += BLOCK + padded;
      if (type === 'x') {
        const pax = parsePax(data);
        if (pax.path) longName = pax.path;
      } else if (type === 'L') {
        longName = cstring(data, 0, data.byteLength);
      } else if (type === '0' || type === '\0' || type === '7') {
        lastName = name;
        yield { name, data, offset: memberOffset };
      } else {
        name = '';
      }
    }
  } finally {
    await q.close();
  }
}
