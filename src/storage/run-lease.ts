/**
 * A run directory's single-writer lease (docs/storage.md, "Run leases"). One holder at a time may
 * write the run; it renews the lease while it runs; another writer takes over only after the lease
 * expired (or was released), with the next generation; every write of the holder goes through
 * `fencedStore`, whose writes fail with LeaseLostError once the holder has been superseded.
 *
 * @example
 *   const lease = await RunLease.acquire(openStore(out), { owner: `cli:${hostname()}:${process.pid}`, waitMs: 60_000, signal });
 *   try {
 *     await claimRunInputs(lease.fencedStore, run, { what: 'search' });
 *     const ckpts = new CheckpointStore(lease.fencedStore, 'checkpoints');
 *     ... train with AbortSignal.any([signal, lease.signal]) ...
 *   } finally {
 *     await lease.release();
 *   }
 */
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors';
import { FencedStore, type LeaseGuard } from './fenced-store';
import { leaseCellFor, type LeaseCell } from './lease-cell';
import { checkConditionalWrites, emulatedCasCell, PROBE_KEY } from './lease-cell-fallback';
import { LeaseHeldError, LeaseLostError, PreconditionFailedError } from './lease-errors';
import { describeLease, encodeLeaseRecord, parseLeaseRecord, type LeaseRecord } from './lease-record';
import type { CallOptions, ObjectStore } from './object-store';
import { sleep, throwIfAborted } from '../async/retry';

/** Wall-clock and monotonic time in ms; injectable so tests can model a skewed or stalled host. */
export interface LeaseClock {
  now(): number;
  monotonic(): number;
}
const systemClock: LeaseClock = { now: () => Date.now(), monotonic: () => performance.now() };

/** Something a caller may want to log. Nothing in src/storage logs by itself. */
export type LeaseEvent =
  | { type: 'waiting'; holder: LeaseRecord }
  | { type: 'acquired'; record: LeaseRecord; tookOverFrom?: string }
  | { type: 'renew-failed'; error: Error }
  | { type: 'lost'; error: LeaseLostError };

export interface RunLeaseOptions extends CallOptions {
  /** Who is writing: `<workflowId>/<activityId>/attempt-<n>` or `cli:<host>:<pid>`. Named in other writers' errors. */
  owner: string;
  /** Lease time-to-live; renewed every `renewIntervalMs`. Default 30 s. */
  ttlMs?: number;
  /** Renewal period. Default ttlMs / 3 (two renewals may fail before the lease lapses). */
  renewIntervalMs?: number;
  /** How long to wait for a live holder to release or expire before LeaseHeldError. Default 0. */
  waitMs?: number;
  /** Polling period while waiting. Default min(1 s, ttlMs / 4). */
  pollMs?: number;
  /**
   * 'require' (default): refuse an S3 server that ignores If-None-Match / If-Match (LEASE_UNSUPPORTED).
   * 'best-effort': emulate compare-and-swap by read-compare-write on such a server (see docs/storage.md).
   */
  conditionalWrites?: 'require' | 'best-effort';
  clock?: LeaseClock;
  onEvent?: (e: LeaseEvent) => void;
}

const OWNER_RE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

export class RunLease implements LeaseGuard {
  /** Aborted (with the LeaseLostError as reason) when the lease is lost, or when it is released. */
  readonly signal: AbortSignal;
  /** The run directory's store with every write fenced by this lease. */
  readonly fencedStore: FencedStore;
  readonly reservedKeys: readonly string[];
  private readonly abort = new AbortController();
  private lostError: LeaseLostError | undefined;
  private released = false;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private lastError: Error | undefined;

  private constructor(
    readonly store: ObjectStore,
    private readonly cell: LeaseCell,
    private record: LeaseRecord,
    private etag: string,
    /** Monotonic time at which the last successful write of the lease was sent. */
    private validFrom: number,
    private readonly clock: LeaseClock,
    private readonly onEvent: ((e: LeaseEvent) => void) | undefined,
    renewIntervalMs: number,
  ) {
    this.signal = this.abort.signal;
    this.reservedKeys = [...cell.keys, PROBE_KEY];
    this.fencedStore = new FencedStore(store, this);
    this.timer = setInterval(() => void this.renewInBackground(), renewIntervalMs);
    this.timer.unref();
  }

  get owner(): string {
    return this.record.owner;
  }
  get generation(): number {
    return this.record.generation;
  }
  /** When the lease lapses unless renewed (ISO, holder's clock). */
  get expiresAt(): string {
    return this.record.expiresAt;
  }
  get ttlMs(): number {
    return this.record.ttlMs;
  }

  /**
   * Acquires the lease of the run rooted at `store`: creates it, or takes it over when it was
   * released or has expired. Waits up to `waitMs` for a live holder.
   * @throws LeaseHeldError (retryable) naming the holder and its expiry; InvalidInputError for bad
   *   options, an unsupported store, or an S3 server without conditional writes (LEASE_UNSUPPORTED).
   */
  static async acquire(store: ObjectStore, opts: RunLeaseOptions): Promise<RunLease> {
    if (!OWNER_RE.test(opts.owner))
      throw new InvalidInputError(`lease owner ${JSON.stringify(opts.owner)}: must be 1-200 printable ASCII characters, e.g. 'cli:<host>:<pid>'`);
    const ttlMs = opts.ttlMs ?? 30_000;
    if (!Number.isInteger(ttlMs) || ttlMs < 100) throw new InvalidInputError(`lease ttlMs=${opts.ttlMs}: must be an integer >= 100`);
    const renewIntervalMs = opts.renewIntervalMs ?? Math.floor(ttlMs / 3);
    if (!(renewIntervalMs > 0 && renewIntervalMs < ttlMs))
      throw new InvalidInputError(`lease renewIntervalMs=${opts.renewIntervalMs}: must be > 0 and < ttlMs (${ttlMs})`);
    const waitMs = opts.waitMs ?? 0;
    const pollMs = opts.pollMs ?? Math.min(1000, Math.floor(ttlMs / 4));
    const clock = opts.clock ?? systemClock;
    let cell = leaseCellFor(store);
    if (!(await checkConditionalWrites(store, opts))) {
      if (opts.conditionalWrites !== 'best-effort') {
        throw new InvalidInputError(
          `cannot lease ${store.uri}: the S3 server ignores conditional writes (If-None-Match / If-Match), so two writers could both hold the lease. ` +
            `Use a server that supports them (AWS S3 does), or accept a weaker lease with conditionalWrites: 'best-effort' (docs/storage.md)`,
          { code: 'LEASE_UNSUPPORTED' },
        );
      }
      cell = emulatedCasCell(cell);
    }

    const started = clock.monotonic();
    let seen: { etag: string; since: number } | undefined;
    let pending: { record: LeaseRecord; sentAt: number } | undefined;
    const acquired = (record: LeaseRecord, etag: string, sentAt: number, tookOverFrom?: string): RunLease => {
      opts.onEvent?.({ type: 'acquired', record, ...(tookOverFrom ? { tookOverFrom } : {}) });
      return new RunLease(store, cell, record, etag, sentAt, clock, opts.onEvent, renewIntervalMs);
    };
    for (;;) {
      throwIfAborted(opts.signal, `acquire the lease of ${store.uri}`);
      const cur = await cell.read(opts);
      const prev = cur ? parseLeaseRecord(cur.data, cell.where) : undefined;
      // Our own write from an attempt that reported failure (a retried request) is an acquisition.
      if (cur && prev && pending && prev.nonce === pending.record.nonce) return acquired(prev, cur.etag, pending.sentAt, prev.previousOwner);
      const sentAt = clock.monotonic();
      const now = clock.now();
      if (!cur || !prev) {
        pending = { record: newRecord(opts.owner, 1, ttlMs, now, {}), sentAt };
        try {
          return acquired(pending.record, await cell.create(encodeLeaseRecord(pending.record), opts), sentAt);
        } catch (err) {
          if (!(err instanceof PreconditionFailedError)) throw err;
          continue;
        }
      }
      if (seen?.etag !== cur.etag) seen = { etag: cur.etag, since: clock.monotonic() };
      // Expired by the holder's stamp, or seen unchanged for a whole TTL here (covers a holder whose clock runs ahead).
      const free = prev.released || now > Date.parse(prev.expiresAt) || clock.monotonic() - seen.since >= prev.ttlMs;
      if (free) {
        pending = { record: { ...newRecord(opts.owner, prev.generation + 1, ttlMs, now, prev.committed), previousOwner: prev.owner }, sentAt };
        try {
          return acquired(pending.record, await cell.replace(encodeLeaseRecord(pending.record), cur.etag, opts), sentAt, prev.owner);
        } catch (err) {
          if (!(err instanceof PreconditionFailedError)) throw err;
          continue;
        }
      }
      const waited = clock.monotonic() - started;
      if (waited >= waitMs) {
        throw new LeaseHeldError(
          `run directory ${store.uri} is leased by '${prev.owner}' (generation ${prev.generation}) until ${prev.expiresAt}; ` +
            `it is renewed while that writer runs. Retry after the lease expires or is released${waitMs > 0 ? ` (waited ${Math.round(waited)} ms)` : ''}`,
          { owner: prev.owner, generation: prev.generation, expiresAt: prev.expiresAt },
        );
      }
      opts.onEvent?.({ type: 'waiting', holder: prev });
      await sleep(Math.max(10, Math.min(pollMs, waitMs - waited)), opts.signal, `wait for the lease of ${store.uri}`);
    }
  }

  /** Throws LeaseLostError unless the lease is held and was last renewed less than a TTL ago (minus a margin). */
  assertHeld(): void {
    if (this.lostError) throw this.lostError;
    if (this.released)
      throw new LeaseLostError(`the lease of ${this.store.uri} (generation ${this.generation}) was released by this writer; acquire it again to write`);
    const age = this.clock.monotonic() - this.validFrom;
    if (age > this.ttlMs * 0.8) {
      const why = `it was not renewed for ${Math.round(age)} ms (TTL ${this.ttlMs} ms)${this.lastError ? `; last renewal error: ${this.lastError.message}` : ' (the process was stalled)'}`;
      throw this.markLost(`'${this.owner}' stopped writing ${this.store.uri}: its lease (generation ${this.generation}) may have been taken over: ${why}`);
    }
  }

  /**
   * Resolves when no renewal (or commit) of this holder is in flight. A renewal is a chain of I/O
   * steps, each needing a turn of the event loop; a training loop that gives one turn per step would
   * let a renewal take as many steps, and with steps of seconds the lease lapses although the process
   * is alive (measured: steps of 300 ms lose a 3-s lease). Awaiting this between steps lets it finish.
   */
  settled(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Renews the lease (compare-and-swap on the version this holder wrote last). */
  renew(opts: CallOptions = {}): Promise<void> {
    return this.update((r) => r, opts).then(() => undefined);
  }

  committed(prefix: string): readonly string[] | undefined {
    return this.record.committed[prefix];
  }

  async commit(prefix: string, update: (current: readonly string[] | undefined) => string[], opts: CallOptions = {}): Promise<readonly string[]> {
    const r = await this.update((rec) => ({ ...rec, committed: { ...rec.committed, [prefix]: update(rec.committed[prefix]) } }), opts);
    return r.committed[prefix]!;
  }

  /**
   * Stops renewing and marks the lease released, so the next writer takes over at once. Keeps the
   * generation counter and the committed list. Idempotent; a lost lease is left alone.
   */
  async release(opts: CallOptions = {}): Promise<void> {
    clearInterval(this.timer);
    if (this.released || this.lostError) return;
    try {
      await this.update((r) => ({ ...r, released: true }), opts, true);
    } catch (err) {
      // Lost meanwhile: the successor owns the lease now and nothing is left to release.
      if (!(err instanceof LeaseLostError)) throw err;
    } finally {
      this.released = true;
      this.abort.abort(new LeaseLostError(`the lease of ${this.store.uri} was released`));
    }
  }

  /** Serialised compare-and-swap of the lease document. */
  private update(mutate: (r: LeaseRecord) => LeaseRecord, opts: CallOptions, releasing = false): Promise<LeaseRecord> {
    const run = async (): Promise<LeaseRecord> => {
      this.assertHeld();
      const sentAt = this.clock.monotonic();
      const now = this.clock.now();
      const next: LeaseRecord = {
        ...mutate(this.record),
        nonce: randomBytes(8).toString('hex'),
        renewedAt: new Date(now).toISOString(),
        expiresAt: new Date(releasing ? now : now + this.ttlMs).toISOString(),
      };
      try {
        this.etag = await this.cell.replace(encodeLeaseRecord(next), this.etag, opts);
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) {
          this.lastError = err as Error;
          throw err;
        }
        const cur = await this.cell.read(opts).catch(() => null);
        const rec = cur ? parseLeaseRecord(cur.data, this.cell.where) : null;
        if (!cur || !rec || rec.nonce !== next.nonce) {
          throw this.markLost(
            `'${this.owner}' lost the lease of ${this.store.uri} (generation ${this.generation}): it is now ${rec ? describeLease(rec) : 'gone'}; this writer stops and writes nothing more`,
          );
        }
        this.etag = cur.etag; // a retried request whose first try had landed
      }
      this.record = next;
      this.validFrom = sentAt;
      this.lastError = undefined;
      return next;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async renewInBackground(): Promise<void> {
    if (this.released || this.lostError) return clearInterval(this.timer);
    try {
      await this.renew();
    } catch (err) {
      if (err instanceof LeaseLostError) return;
      this.onEvent?.({ type: 'renew-failed', error: err as Error });
      try {
        this.assertHeld(); // lost once a whole TTL passes without a successful renewal
      } catch {
        /* markLost already reported it */
      }
    }
  }

  private markLost(message: string): LeaseLostError {
    if (!this.lostError) {
      this.lostError = new LeaseLostError(message, { cause: this.lastError });
      clearInterval(this.timer);
      this.abort.abort(this.lostError);
      this.onEvent?.({ type: 'lost', error: this.lostError });
    }
    return this.lostError;
  }
}

function newRecord(owner: string, generation: number, ttlMs: number, now: number, committed: LeaseRecord['committed']): LeaseRecord {
  const at = new Date(now).toISOString();
  return {
    format: 'spnas-run-lease',
    version: 1,
    owner,
    generation,
    nonce: randomBytes(8).toString('hex'),
    ttlMs,
    acquiredAt: at,
    renewedAt: at,
    expiresAt: new Date(now + ttlMs).toISOString(),
    released: false,
    committed,
  };
}
