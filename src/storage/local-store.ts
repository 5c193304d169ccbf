/** The `file://` (and plain path) backend: a directory on local disk. */
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CancelledError, DataError, InvalidInputError } from '../errors';
import { PreconditionFailedError } from './lease-errors';
import { HashingTap, sha256Hex } from './hash';
import type { CallOptions, GetStreamOptions, ObjectInfo, ObjectStore, PutOptions, PutResult } from './object-store';
import { throwIfAborted } from '../async/retry';
import { assertSafeKey, formatStoreUri } from './uri';

// Temp files live next to their target (same filesystem, so rename is atomic) and are hidden from list().
const TMP_MARK = '.spnas-tmp-';

/** A version tag for a file: every publish is a new inode (rename/link of a fresh temp file). */
function statTag(st: { ino: bigint; size: bigint; mtimeNs: bigint }): string {
  return `"${st.ino.toString(16)}-${st.size.toString(16)}-${st.mtimeNs.toString(16)}"`;
}

/** Local-disk store rooted at an absolute directory. */
export class LocalStore implements ObjectStore {
  readonly uri: string;

  constructor(readonly root: string) {
    this.uri = formatStoreUri({ kind: 'file', path: root });
  }

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  async get(key: string, opts: CallOptions = {}): Promise<Uint8Array> {
    throwIfAborted(opts.signal, `read ${this.describe(key)}`);
    try {
      return new Uint8Array(await fsp.readFile(this.path(key), { signal: opts.signal }));
    } catch (err) {
      throw this.mapError(err, key, 'read');
    }
  }

  async *getStream(key: string, opts: GetStreamOptions = {}): AsyncGenerator<Uint8Array> {
    throwIfAborted(opts.signal, `read ${this.describe(key)}`);
    const stream = createReadStream(this.path(key), { start: opts.start ?? 0, highWaterMark: 1 << 20, signal: opts.signal });
    try {
      for await (const chunk of stream) yield new Uint8Array((chunk as Buffer).buffer, (chunk as Buffer).byteOffset, (chunk as Buffer).byteLength);
    } catch (err) {
      throw this.mapError(err, key, 'read');
    } finally {
      stream.destroy();
    }
  }

  async put(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<PutResult> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const tmp = await this.writeTemp(key, opts, async (fh) => {
      await fh.writeFile(bytes);
    });
    const etag = await this.publish(tmp, key, opts);
    return { key, size: bytes.byteLength, sha256: sha256Hex(bytes), etag };
  }

  async putStream(key: string, data: AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<PutResult> {
    const tap = new HashingTap();
    const tmp = await this.writeTemp(key, opts, async (fh) => {
      await pipeline(Readable.from(tap.tap(data)), createWriteStream('', { fd: fh.fd, autoClose: false }), { signal: opts.signal });
    });
    const etag = await this.publish(tmp, key, opts);
    return { key, size: tap.size, sha256: tap.digest(), etag };
  }

  /** Writes into a hidden temp file beside the target and fsyncs it; removes it on any failure. */
  private async writeTemp(key: string, opts: CallOptions, write: (fh: fsp.FileHandle) => Promise<void>): Promise<string> {
    const target = this.path(key);
    throwIfAborted(opts.signal, `write ${this.describe(key)}`);
    await fsp.mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `${TMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
    const fh = await fsp.open(tmp, 'wx');
    try {
      await write(fh);
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw this.mapError(err, key, 'write');
    }
    await fh.close();
    return tmp;
  }

  /**
   * The rename is the publish step: until it happens readers still see the old object (or none).
   * `ifNoneMatch` publishes with link(2) instead, which fails atomically when the target exists.
   * @returns the etag of the published object.
   */
  private async publish(tmp: string, key: string, opts: PutOptions): Promise<string> {
    const target = this.path(key);
    try {
      if (opts.signal?.aborted) throw new CancelledError(`write ${this.describe(key)}: cancelled`, { cause: opts.signal.reason });
      if (opts.ifMatch !== undefined) {
        const current = await this.head(key);
        if (current?.etag !== opts.ifMatch)
          throw new PreconditionFailedError(
            `write ${this.describe(key)}: precondition failed: ${current ? 'the object changed' : 'the object does not exist'} (expected etag ${opts.ifMatch})`,
          );
      }
      if (opts.ifNoneMatch === '*') {
        try {
          await fsp.link(tmp, target);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST')
            throw new PreconditionFailedError(`write ${this.describe(key)}: precondition failed: the object already exists`, { cause: err });
          throw err;
        }
        await fsp.rm(tmp, { force: true });
      } else {
        await fsp.rename(tmp, target);
      }
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return statTag(await fsp.stat(target, { bigint: true }));
  }

  async head(key: string, opts: CallOptions = {}): Promise<ObjectInfo | null> {
    throwIfAborted(opts.signal, `head ${this.describe(key)}`);
    try {
      const st = await fsp.stat(this.path(key), { bigint: true });
      return st.isFile() ? { key, size: Number(st.size), lastModified: st.mtime, etag: statTag(st) } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw this.mapError(err, key, 'stat');
    }
  }

  async list(prefix: string, opts: CallOptions = {}): Promise<ObjectInfo[]> {
    throwIfAborted(opts.signal, `list ${this.describe(prefix)}`);
    // Walk only the deepest directory the prefix names; filter the rest by string prefix.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const out: ObjectInfo[] = [];
    await this.walk(dirKey === '' ? this.root : this.path(dirKey), prefix, out, opts);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async walk(dir: string, prefix: string, out: ObjectInfo[], opts: CallOptions): Promise<void> {
    throwIfAborted(opts.signal, `list ${this.describe(prefix)}`);
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw this.mapError(err, prefix, 'list');
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      const key = relative(this.root, full).split(sep).join('/');
      if (e.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(key + '/')) await this.walk(full, prefix, out, opts);
      } else if (e.isFile() && !e.name.startsWith(TMP_MARK) && key.startsWith(prefix)) {
        const st = await fsp.stat(full);
        out.push({ key, size: st.size, lastModified: st.mtime });
      }
    }
  }

  async delete(key: string, opts: CallOptions = {}): Promise<void> {
    throwIfAborted(opts.signal, `delete ${this.describe(key)}`);
    await fsp.rm(this.path(key), { force: true });
    // Object stores have no directories: drop the ones this delete emptied so listings stay clean.
    for (let dir = dirname(this.path(key)); dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await fsp.rmdir(dir);
      } catch {
        break;
      }
    }
  }

  async deletePrefix(prefix: string, opts: CallOptions = {}): Promise<number> {
    const objects = await this.list(prefix, opts);
    for (const o of objects) await this.delete(o.key, opts);
    return objects.length;
  }

  private describe(key: string): string {
    return `${this.uri}/${key}`;
  }

  private mapError(err: unknown, key: string, op: string): Error {
    if (err instanceof Error && (err.name === 'AbortError' || err instanceof CancelledError)) {
      return err instanceof CancelledError ? err : new CancelledError(`${op} ${this.describe(key)}: cancelled`, { cause: err });
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new DataError(`object not found: ${this.describe(key)}`, { code: 'NOT_FOUND', cause: err });
    if (code === 'EACCES' || code === 'EPERM') {
      return new InvalidInputError(`permission denied to ${op} ${this.describe(key)}: check the file permissions`, { code: 'ACCESS_DENIED', cause: err });
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
