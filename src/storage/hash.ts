/** sha256 content hashes, recorded for every artifact so readers can verify what they load. */
import { createHash, type Hash } from 'node:crypto';

/** Hex sha256 of a byte array. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Passes chunks through unchanged while hashing and counting them, so a streaming write learns its
 * hash and size without buffering. Read `digest()` only after the stream has been consumed.
 */
export class HashingTap {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private hex: string | undefined;

  /** Wraps a source; every chunk yielded is also hashed. */
  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.hash.update(bytes);
      this.bytes += bytes.byteLength;
      yield bytes;
    }
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.bytes;
  }

  /** Hex sha256 of everything tapped; callable more than once. */
  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}
