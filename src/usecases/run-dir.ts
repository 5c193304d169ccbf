/**
 * A run directory (search, training, warm-up) identified by its inputs and written by one writer at
 * a time. Opening it takes the directory's lease (src/storage/run-lease.ts) and records the inputs in
 * run.json under it: a rerun with the same inputs resumes from the checkpoints, one with other inputs
 * is refused, some inputs may change (`mutable`, e.g. the epochs of a promoted trial). Every write
 * goes through the lease's fenced store, so an old attempt still running when its retry starts fails
 * on its next write instead of mixing its checkpoints with the new attempt's.
 */
import * as os from 'node:os';
import { CancelledError, SpnasError, TransientError } from '../errors';
import { claimRunInputs } from '../storage/run-claim';
import { RunLease } from '../storage/run-lease';
import type { ObjectStore } from '../storage/object-store';
import { openStore } from '../storage/open-store';
import type { UseCaseContext } from './context';

export interface RunDir {
  /** The run directory's store; every write is fenced by the lease. */
  store: ObjectStore;
  uri: string;
  /** Aborts on the caller's cancellation and when the lease is lost. */
  signal: AbortSignal;
  /** Resolves once the lease's in-flight renewal is done: training loops await it between steps (RunLease.settled). */
  settled: () => Promise<void>;
}

export interface RunDirOptions {
  what: string;
  mutable?: readonly string[];
}

/**
 * Lease time-to-live. The lease is renewed by a timer between training steps, so the TTL must exceed
 * the longest synchronous stretch (a training step of a large batch on a loaded machine: seconds)
 * with margin; a retry after a crashed writer waits at most this long.
 */
const LEASE_TTL_MS = 60_000;

/**
 * How long to wait for a previous writer's lease to lapse: a little longer than the TTL, so a rerun (CLI)
 * or a retry (activity, heartbeating meanwhile) after a crashed writer proceeds instead of failing;
 * a writer that is still alive keeps renewing, and the wait ends in a retryable LEASE_HELD.
 */
const LEASE_WAIT_MS = 90_000;

/**
 * Runs `fn` with the run directory at `uri` opened for `run` (lease taken, inputs claimed), and always
 * releases the lease. A lost lease surfaces as a retryable LEASE_LOST error: if another attempt took
 * over, Temporal ignores this one's outcome anyway; if the store was briefly unreachable, a retry resumes.
 * @throws InvalidInputError (RUN_INPUTS_DIFFER) when the directory holds a run with other inputs;
 *   LeaseHeldError (retryable) when another live writer holds it.
 */
export async function withRunDir<T>(uri: string, run: object, o: RunDirOptions, ctx: UseCaseContext, fn: (dir: RunDir) => Promise<T>): Promise<T> {
  const owner = ctx.owner ?? `cli:${os.hostname()}:${process.pid}`;
  const lease = await RunLease.acquire(openStore(uri), { owner, ttlMs: LEASE_TTL_MS, waitMs: LEASE_WAIT_MS, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  try {
    await claimRunInputs(lease.fencedStore, run, { what: o.what, mutable: o.mutable ?? [] });
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, lease.signal]) : lease.signal;
    try {
      return await fn({ store: lease.fencedStore, uri: lease.fencedStore.uri, signal, settled: () => lease.settled() });
    } catch (err) {
      if (lease.signal.aborted && !ctx.signal?.aborted && (err instanceof CancelledError || !(err instanceof SpnasError) || err.code === 'LEASE_LOST')) {
        const reason = lease.signal.reason as Error | undefined;
        throw new TransientError(
          `the lease of ${uri} was lost while writing (${reason?.message ?? 'unknown reason'}); a retry resumes from the last committed checkpoint`,
          { code: 'LEASE_LOST', cause: reason ?? err },
        );
      }
      throw err;
    }
  } finally {
    await lease.release().catch(() => undefined);
  }
}
