/** Raw little-endian tensor files: the byte layout is fixed, whatever the host's endianness. */
import { endianness } from 'node:os';
import { DataError, InvalidInputError } from '../errors';

/** Element types a checkpoint can hold (what tf variables and optimizer slots use). */
export type TensorDtype = 'float32' | 'int32';

/** One tensor as plain data. `data.length` must equal the product of `shape` (1 for a scalar `[]`). */
export interface TensorData {
  dtype: TensorDtype;
  /** Dimensions, e.g. [kh, kw, inC, outC] for a conv kernel; [] for a scalar. */
  shape: number[];
  data: Float32Array | Int32Array;
}

const LITTLE = endianness() === 'LE';

/** Number of elements of a shape; 1 for a scalar. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function swap32(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += 4) {
    out[i] = bytes[i + 3]!;
    out[i + 1] = bytes[i + 2]!;
    out[i + 2] = bytes[i + 1]!;
    out[i + 3] = bytes[i]!;
  }
  return out;
}

/**
 * Encodes a tensor's elements as little-endian bytes (a view without copying on LE hosts).
 * @throws InvalidInputError naming the tensor when dtype, shape and data disagree.
 */
export function encodeTensor(name: string, t: TensorData): Uint8Array {
  const ok = (t.dtype === 'float32' && t.data instanceof Float32Array) || (t.dtype === 'int32' && t.data instanceof Int32Array);
  if (!ok) throw new InvalidInputError(`tensor '${name}': dtype '${t.dtype}' does not match its ${t.data?.constructor?.name} data`);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new InvalidInputError(`tensor '${name}': shape [${t.shape.join(', ')}] must hold non-negative integers`);
  if (elementCount(t.shape) !== t.data.length) {
    throw new InvalidInputError(`tensor '${name}': shape [${t.shape.join(', ')}] has ${elementCount(t.shape)} elements but data has ${t.data.length}`);
  }
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return LITTLE ? bytes : swap32(bytes);
}

/**
 * Decodes little-endian bytes into a fresh, aligned typed array.
 * @throws DataError naming `where` when the byte length does not fit the shape.
 */
export function decodeTensor(where: string, dtype: TensorDtype, shape: number[], bytes: Uint8Array): TensorData {
  const expected = elementCount(shape) * 4;
  if (bytes.byteLength !== expected) {
    throw new DataError(`${where}: ${bytes.byteLength} bytes but shape [${shape.join(', ')}] (${dtype}) needs ${expected}`, { code: 'CORRUPT_ARTIFACT' });
  }
  // slice() copies into a new ArrayBuffer at offset 0, which typed arrays need for alignment.
  const own = LITTLE ? bytes.slice() : swap32(bytes);
  return { dtype, shape: [...shape], data: dtype === 'float32' ? new Float32Array(own.buffer) : new Int32Array(own.buffer) };
}
