/** Writes USTAR archives (what `spnas data pack` and the tests produce). */
import { InvalidInputError } from '../errors';

const BLOCK = 512;

function writeString(h: Uint8Array, s: string, start: number, len: number): void {
  const b = Buffer.from(s, 'utf8');
  if (b.byteLength > len) throw new InvalidInputError(`tar: '${s}' is longer than ${len} bytes`);
  h.set(b, start);
}

function writeOctal(h: Uint8Array, v: number, start: number, len: number): void {
  writeString(h, v.toString(8).padStart(len - 1, '0'), start, len - 1);
}

/**
 * One USTAR header block for a regular file. Names up to 100 bytes go in `name`; longer ones are
 * split at a '/' into `prefix` (155) + `name` (100), as POSIX specifies.
 * @throws InvalidInputError when the name cannot be represented.
 */
export function tarHeader(name: string, size: number, mtime = 0): Uint8Array {
  const h = new Uint8Array(BLOCK);
  let base = name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 1);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(base) > 100)
      throw new InvalidInputError(`tar: member name too long for ustar: '${name}'`);
  }
  writeString(h, base, 0, 100);
  writeOctal(h, 0o644, 100, 8);
  writeOctal(h, 0, 108, 8);
  writeOctal(h, 0, 116, 8);
  writeOctal(h, size, 124, 12);
  writeOctal(h, mtime, 136, 12);
  h[156] = 0x30; // '0': regular file
  writeString(h, 'ustar\u0000', 257, 6);
  writeString(h, '00', 263, 2);
  writeString(h, prefix, 345, 155);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  writeString(h, sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8);
  return h;
}

/** Serialises members into one tar archive, ending with the two zero blocks. */
export function buildTar(members: Iterable<{ name: string; data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    parts.push(tarHeader(m.name, m.data.byteLength), m.data);
    const pad = (BLOCK - (m.data.byteLength % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return new Uint8Array(Buffer.concat(parts));
}
