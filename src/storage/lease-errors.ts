/**
 * The errors of conditional writes and run leases. Callers branch on them: a lease held by a live
 * owner is worth retrying later (Temporal: retryable), a lost lease is not (that attempt is stale).
 */
import { SpnasError } from '../errors';

/** A conditional write (`ifNoneMatch` / `ifMatch`) found another version of the object. */
export class PreconditionFailedError extends SpnasError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('PRECONDITION_FAILED', message, { retryable: false, cause: opts.cause });
  }
}

/** The run directory is leased by another owner whose lease has not expired. Retry after `expiresAt`. */
export class LeaseHeldError extends SpnasError {
  constructor(
    message: string,
    readonly holder: { owner: string; generation: number; expiresAt: string },
  ) {
    super('LEASE_HELD', message, { retryable: true });
  }
}

/**
 * This writer no longer holds the run's lease (taken over after it expired, released, or not
 * renewed in time): it must stop writing. Not retryable for this attempt; a new attempt acquires anew.
 */
export class LeaseLostError extends SpnasError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('LEASE_LOST', message, { retryable: false, cause: opts.cause });
  }
}
