/**
 * S3 servers differ: AWS S3 honours If-None-Match / If-Match on PUT, some S3-compatible servers
 * ignore the headers (the PUT then simply overwrites) or answer 501. This finds out which, once per
 * bucket and process, and provides the weaker register used when a caller accepts it.
 */
import { SpnasError } from '../errors';
import type { LeaseCell } from './lease-cell';
import { PreconditionFailedError } from './lease-errors';
import type { CallOptions, ObjectStore } from './object-store';
import { sleep } from '../async/retry';
import { S3Store } from './s3-store';

/** Written (twice, same bytes) next to the lease to test the server; a few bytes, left in place. */
export const PROBE_KEY = 'lease.probe';
const verdicts = new Map<string, Promise<boolean>>();

/** True when `store` performs conditional writes (always for local disk). */
export function checkConditionalWrites(store: ObjectStore, opts: CallOptions = {}): Promise<boolean> {
  if (!(store instanceof S3Store)) return Promise.resolve(true);
  const id = `${store.settings.endpoint ?? 'aws'}|${store.bucket}`;
  let v = verdicts.get(id);
  if (!v) {
    v = probe(store, opts);
    verdicts.set(id, v);
    v.catch(() => verdicts.delete(id));
  }
  return v;
}

async function probe(store: S3Store, opts: CallOptions): Promise<boolean> {
  const body = 'spnas: probe of conditional writes (If-None-Match / If-Match); safe to delete\n';
  // Each of these must be refused with 412 once the object exists; a success means the header was ignored.
  const attempts: { ifNoneMatch?: '*'; ifMatch?: string }[] = [{ ifNoneMatch: '*' }, { ifNoneMatch: '*' }, { ifMatch: '"00000000000000000000000000000000"' }];
  let refused = 0;
  for (const cond of attempts) {
    try {
      await store.put(PROBE_KEY, body, { ...opts, ...cond });
    } catch (err) {
      if (err instanceof PreconditionFailedError) refused++;
      else if (err instanceof SpnasError && err.code === 'S3_NOT_IMPLEMENTED') return false;
      else throw err;
    }
  }
  // The first create may succeed (the probe did not exist yet); the other two must be refused.
  return refused >= 2;
}

/**
 * Compare-and-swap emulated by read-compare-write plus a read-back: two writers that both read the
 * same version within one round trip can both write, and the read-back catches only the one that was
 * overwritten. The weaker lease of docs/storage.md.
 */
export function emulatedCasCell(cell: LeaseCell): LeaseCell {
  const verify = async (data: Uint8Array, opts?: CallOptions): Promise<string> => {
    await sleep(50, opts?.signal);
    const back = await cell.read(opts);
    if (!back || Buffer.compare(Buffer.from(back.data), Buffer.from(data)) !== 0)
      throw new PreconditionFailedError(`${cell.where}: overwritten by another writer (best-effort lease)`);
    return back.etag;
  };
  return {
    where: cell.where,
    keys: cell.keys,
    read: (opts) => cell.read(opts),
    async create(data, opts) {
      if (await cell.read(opts)) throw new PreconditionFailedError(`${cell.where}: already exists`);
      await cell.create(data, opts);
      return verify(data, opts);
    },
    async replace(data, etag, opts) {
      const cur = await cell.read(opts);
      if (cur?.etag !== etag) throw new PreconditionFailedError(`${cell.where}: changed (best-effort lease)`);
      await cell.replace(data, etag, opts);
      return verify(data, opts);
    },
  };
}
