/**
 * The one place where spnas's typed errors cross into Temporal. The SDK turns any thrown Error into a
 * RETRYABLE ApplicationFailure, so without this a bad spec would be retried until the retry budget
 * runs out. Here: type = the error's stable `code`, nonRetryable = !retryable, the original as cause.
 * Anything that is not an SpnasError is a bug or an unexpected fault: retryable, type UNEXPECTED.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { SpnasError } from '../src/errors';

export function toFailure(err: unknown, cancellation?: AbortSignal): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  // The SDK's own reason (requested cancel, worker shutdown, heartbeat timeout): rethrown as is, the SDK
  // then reports a requested cancel as cancelled and a worker shutdown as a retryable failure.
  if (cancellation?.aborted) return cancellation.reason instanceof Error ? cancellation.reason : new CancelledFailure(String(cancellation.reason));
  if (err instanceof SpnasError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: !err.retryable, cause: err });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ type: 'UNEXPECTED', message: `${e.name}: ${e.message}`, nonRetryable: false, cause: e });
}
