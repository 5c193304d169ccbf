/**
 * A compare-and-swap register holding one small document (the run lease), built on each backend's
 * atomic primitive:
 * - S3: one object, `lease.json`; create with `If-None-Match: *`, replace with `If-Match: <etag>`.
 * - local disk: immutable versions `lease/<seq>.json`, each created with link(2) (which fails if the
 *   name exists), so "replace version n" = "create version n+1" and exactly one writer wins it. The
 *   current value is the highest version. No lock files, so a writer killed or stopped at any point
 *   never blocks the others.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors';
import { sha256Hex } from './hash';
import { LocalStore } from './local-store';
import type { CallOptions, ObjectStore } from './object-store';
import { PreconditionFailedError } from './lease-errors';
import { S3Store } from './s3-store';

/** One read of the register. */
export interface CellValue {
  data: Uint8Array;
  /** Opaque version tag for `replace`. */
  etag: string;
}

/** A CAS register. `create`/`replace` reject with PreconditionFailedError when another write won. */
export interface LeaseCell {
  /** Where the register lives, for messages. */
  readonly where: string;
  /** Keys (or key prefixes ending in '/') of the store that belong to the register. */
  readonly keys: string[];
  read(opts?: CallOptions): Promise<CellValue | null>;
  create(data: Uint8Array, opts?: CallOptions): Promise<string>;
  replace(data: Uint8Array, etag: string, opts?: CallOptions): Promise<string>;
}

/** Name of the lease object on S3 (and of the version directory's parent name on local disk). */
export const LEASE_KEY = 'lease.json';
/** Directory of lease versions on local disk. */
export const LEASE_DIR = 'lease';

/** True for the stores a lease can live in (the backends themselves, not wrappers). */
export function canLease(store: ObjectStore): boolean {
  return Object.getPrototypeOf(store) === S3Store.prototype || Object.getPrototypeOf(store) === LocalStore.prototype;
}

/** The register for a store: S3 and local disk are supported; anything else is refused. */
export function leaseCellFor(store: ObjectStore): LeaseCell {
  if (canLease(store) && store instanceof S3Store) return new S3LeaseCell(store);
  if (canLease(store) && store instanceof LocalStore) return new LocalLeaseCell(store);
  throw new InvalidInputError(`cannot lease ${store.uri}: run leases need an S3 or local store (openStore), not a wrapper`);
}

class S3LeaseCell implements LeaseCell {
  readonly where: string;
  readonly keys = [LEASE_KEY];
  constructor(private readonly store: S3Store) {
    this.where = `${store.uri}/${LEASE_KEY}`;
  }
  read(opts?: CallOptions): Promise<CellValue | null> {
    return this.store.getWithEtag(LEASE_KEY, opts);
  }
  async create(data: Uint8Array, opts: CallOptions = {}): Promise<string> {
    return etagOf(await this.store.put(LEASE_KEY, data, { ...opts, ifNoneMatch: '*', contentType: 'application/json' }), this.where);
  }
  async replace(data: Uint8Array, etag: string, opts: CallOptions = {}): Promise<string> {
    return etagOf(await this.store.put(LEASE_KEY, data, { ...opts, ifMatch: etag, contentType: 'application/json' }), this.where);
  }
}

function etagOf(r: { etag?: string }, where: string): string {
  if (!r.etag) throw new InvalidInputError(`the S3 server returned no ETag for ${where}: run leases need ETags and conditional writes`);
  return r.etag;
}

const VERSION_RE = /^(\d{16})\.json$/;
/** Versions kept behind the newest (a reader that listed just before a prune still finds its file). */
const KEEP_VERSIONS = 8;

class LocalLeaseCell implements LeaseCell {
  readonly where: string;
  readonly keys = [`${LEASE_DIR}/`];
  private readonly dir: string;
  constructor(store: LocalStore) {
    this.dir = join(store.root, LEASE_DIR);
    this.where = `${store.uri}/${LEASE_DIR}/`;
  }

  private async versions(): Promise<number[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .flatMap((n) => {
        const m = VERSION_RE.exec(n);
        return m ? [Number(m[1])] : [];
      })
      .sort((a, b) => a - b);
  }

  private file(seq: number): string {
    return join(this.dir, `${String(seq).padStart(16, '0')}.json`);
  }

  async read(): Promise<CellValue | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const seq = (await this.versions()).at(-1);
      if (seq === undefined) return null;
      try {
        const data = new Uint8Array(await fsp.readFile(this.file(seq)));
        return { data, etag: `${seq}:${sha256Hex(data).slice(0, 16)}` };
      } catch (err) {
        // Pruned between the listing and the read: newer versions exist, list again.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new PreconditionFailedError(`${this.where}: the lease kept changing while being read`);
  }

  create(data: Uint8Array): Promise<string> {
    return this.put(data, 1);
  }

  async replace(data: Uint8Array, etag: string): Promise<string> {
    const m = /^(\d+):([0-9a-f]{16})$/.exec(etag);
    if (!m) throw new PreconditionFailedError(`${this.where}: '${etag}' is not a version tag of this lease`);
    const seq = Number(m[1]);
    let current: Uint8Array;
    try {
      current = new Uint8Array(await fsp.readFile(this.file(seq)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new PreconditionFailedError(`${this.where}: version ${seq} is gone (superseded)`);
      throw err;
    }
    // Guards against a lease directory deleted and recreated with the same numbers.
    if (sha256Hex(current).slice(0, 16) !== m[2]) throw new PreconditionFailedError(`${this.where}: version ${seq} has other content`);
    return this.put(data, seq + 1);
  }

  /** Publishes `data` as version `seq`; exactly one writer can create a given version. */
  private async put(data: Uint8Array, seq: number): Promise<string> {
    await fsp.mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.spnas-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await fsp.writeFile(tmp, data, { flush: true });
    try {
      await fsp.link(tmp, this.file(seq));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new PreconditionFailedError(`${this.where}: version ${seq} was written by another writer`, { cause: err });
      throw err;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
    const dh = await fsp.open(this.dir, 'r');
    await dh.sync().finally(() => dh.close());
    // A writer holding a very old version could re-create a pruned number below the newest; such a
    // version is never the current one, so it counts as a lost race (and is removed).
    const all = await this.versions();
    if (all.at(-1) !== seq) {
      await fsp.rm(this.file(seq), { force: true });
      throw new PreconditionFailedError(`${this.where}: version ${seq} was superseded by ${all.at(-1)}`);
    }
    for (const old of all) if (old <= seq - KEEP_VERSIONS) await fsp.rm(this.file(old), { force: true });
    return `${seq}:${sha256Hex(data).slice(0, 16)}`;
  }
}
