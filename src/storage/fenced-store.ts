/**
 * An ObjectStore whose writes are fenced by a run lease: a writer that lost its lease (taken over
 * after it expired, or released) fails with LeaseLostError instead of writing.
 *
 * A write of key K goes: HEAD K (its etag) -> renew the lease by compare-and-swap -> PUT K on
 * condition that K still has that etag (or still does not exist). A newer holder can only exist
 * after that CAS, so every write it makes to K comes after our HEAD and makes our conditional PUT
 * fail: a stale writer can never overwrite an object a newer generation wrote (on S3, where the
 * condition is checked by the server; on local disk the check sits just before the rename).
 * What remains is docs/storage.md's "residual window": a writer stopped for longer than the TTL
 * *between* its CAS and its PUT can still replace an object the new holder has not rewritten yet.
 * Multi-object artifacts avoid even that: CheckpointStore writes into directories named with the
 * generation and makes them visible only by committing them in the lease (see checkpoint-store.ts).
 */
import { SpnasError, InvalidInputError } from '../errors';
import { sha256Hex } from './hash';
import { PreconditionFailedError } from './lease-errors';
import type { CallOptions, GetStreamOptions, ObjectInfo, ObjectStore, PutOptions, PutResult } from './object-store';

/** What a FencedStore needs from the lease (implemented by RunLease). */
export interface LeaseGuard {
  readonly owner: string;
  /** The fencing token of this holder. */
  readonly generation: number;
  /** Keys, or prefixes ending in '/', that hold the lease itself: never written through the store. */
  readonly reservedKeys: readonly string[];
  /** Throws LeaseLostError unless the lease is held and was renewed within its TTL (no I/O). */
  assertHeld(): void;
  /** Renews the lease by compare-and-swap; throws LeaseLostError when another writer took it over. */
  renew(opts?: CallOptions): Promise<void>;
  /** The committed artifact directories under `prefix`, or undefined when nothing was ever committed there. */
  committed(prefix: string): readonly string[] | undefined;
  /** Replaces the committed list of `prefix` by compare-and-swap (a renewal that also commits). */
  commit(prefix: string, update: (current: readonly string[] | undefined) => string[], opts?: CallOptions): Promise<readonly string[]>;
}

const MAX_CONFLICTS = 3;

export class FencedStore implements ObjectStore {
  readonly uri: string;

  constructor(
    readonly inner: ObjectStore,
    readonly lease: LeaseGuard,
  ) {
    this.uri = inner.uri;
  }

  get(key: string, opts?: CallOptions): Promise<Uint8Array> {
    return this.inner.get(key, opts);
  }
  getStream(key: string, opts?: GetStreamOptions): AsyncIterable<Uint8Array> {
    return this.inner.getStream(key, opts);
  }
  head(key: string, opts?: CallOptions): Promise<ObjectInfo | null> {
    return this.inner.head(key, opts);
  }
  list(prefix: string, opts?: CallOptions): Promise<ObjectInfo[]> {
    return this.inner.list(prefix, opts);
  }

  /** Refuses writes to the lease's own keys (and prefixes that contain them), and any write once the lease is lost. */
  private checkKey(keyOrPrefix: string, op: string, isPrefix = false): void {
    this.lease.assertHeld();
    const hit = this.lease.reservedKeys.find(
      (r) => r === keyOrPrefix || (isPrefix && r.startsWith(keyOrPrefix)) || (r.endsWith('/') && keyOrPrefix.startsWith(r)),
    );
    if (hit !== undefined) throw new InvalidInputError(`${op} ${this.uri}/${keyOrPrefix}: '${hit}' is the run lease; it changes only through RunLease`);
  }

  /** Fenced conditional write (see the file comment). */
  async put(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<PutResult> {
    this.checkKey(key, 'write');
    const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
    let conflict: unknown;
    for (let i = 0; i < MAX_CONFLICTS; i++) {
      const before = await this.inner.head(key, opts);
      await this.lease.renew(opts);
      const cond = before ? (before.etag ? { ifMatch: before.etag } : {}) : { ifNoneMatch: '*' as const };
      try {
        return await this.inner.put(key, bytes, { ...opts, ...cond });
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        conflict = err;
        // A retried request whose first try landed finds our own bytes: that is success.
        const now = await this.inner.head(key, opts);
        if (now?.sha256 !== undefined && now.sha256 === sha256Hex(bytes))
          return { key, size: bytes.byteLength, sha256: now.sha256, ...(now.etag ? { etag: now.etag } : {}) };
      }
    }
    // Every CAS above succeeded, so nobody took the lease over: someone writes without it.
    throw new SpnasError(
      'CONCURRENT_WRITE',
      `write ${this.uri}/${key}: the object changed ${MAX_CONFLICTS} times between reading and writing it although '${this.lease.owner}' holds the run lease (generation ${this.lease.generation}): another process writes into this run directory without the lease`,
      { cause: conflict },
    );
  }

  /** Fenced by a lease renewal just before the upload; the upload itself is not conditional (a stream cannot be re-sent). */
  async putStream(key: string, data: AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<PutResult> {
    this.checkKey(key, 'write');
    await this.lease.renew(opts);
    return this.inner.putStream(key, data, opts);
  }

  /** Fenced by a lease renewal just before the delete (S3 servers differ in honouring conditional deletes). */
  async delete(key: string, opts: CallOptions = {}): Promise<void> {
    this.checkKey(key, 'delete');
    await this.lease.renew(opts);
    await this.inner.delete(key, opts);
  }

  async deletePrefix(prefix: string, opts: CallOptions = {}): Promise<number> {
    this.checkKey(prefix, 'delete', true);
    await this.lease.renew(opts);
    const objects = await this.inner.list(prefix, opts);
    for (const o of objects) {
      this.lease.assertHeld();
      await this.inner.delete(o.key, opts);
    }
    return objects.length;
  }

  /**
   * Writes a key only this generation writes (a directory named with the generation): checks the
   * lease locally, then writes without a CAS. Such objects matter only once committed in the lease.
   */
  async putOwned(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<PutResult> {
    this.checkKey(key, 'write');
    return this.inner.put(key, data, opts);
  }

  /** Deletes an object only this generation wrote, or one no committed list names any more. */
  async deleteOwned(key: string, opts: CallOptions = {}): Promise<void> {
    this.checkKey(key, 'delete');
    await this.inner.delete(key, opts);
  }

  /** deleteOwned for every object under `prefix`, checking the lease before each one. */
  async deletePrefixOwned(prefix: string, opts: CallOptions = {}): Promise<number> {
    this.checkKey(prefix, 'delete', true);
    const objects = await this.inner.list(prefix, opts);
    for (const o of objects) {
      this.lease.assertHeld();
      await this.inner.delete(o.key, opts);
    }
    return objects.length;
  }
}

/** True for a store whose writes go through a run lease. */
export function isFencedStore(store: ObjectStore): store is FencedStore {
  return store instanceof FencedStore;
}
