/**
 * One error base for all of spnas. `code` is stable (tests, retry policies and Temporal failure
 * types match on it); the message names the input, the bad value and the fix.
 */
export class SpnasError extends Error {
  readonly code: string;
  /** False for bad input: retrying cannot help. True for transient faults (network, server restarts). */
  readonly retryable: boolean;

  constructor(code: string, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }
}

/** Bad user input: a spec, a flag, a file. Never retryable. */
export class InvalidInputError extends SpnasError {
  constructor(message: string, opts: { cause?: unknown; code?: string } = {}) {
    super(opts.code ?? 'INVALID_INPUT', message, { retryable: false, cause: opts.cause });
  }
}

/** Data that cannot be read: corrupt image, missing label, label out of range. Never retryable. */
export class DataError extends SpnasError {
  constructor(message: string, opts: { cause?: unknown; code?: string } = {}) {
    super(opts.code ?? 'DATA_ERROR', message, { retryable: false, cause: opts.cause });
  }
}

/** Training diverged (NaN/Inf loss). Not retryable with the same hyperparameters. */
export class NumericalError extends SpnasError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('NUMERICAL_ERROR', message, { retryable: false, cause: opts.cause });
  }
}

/** A server or store could not be reached or failed transiently. Retryable. */
export class TransientError extends SpnasError {
  constructor(message: string, opts: { cause?: unknown; code?: string } = {}) {
    super(opts.code ?? 'TRANSIENT', message, { retryable: true, cause: opts.cause });
  }
}

/** The caller cancelled (AbortSignal, cancelled study). */
export class CancelledError extends SpnasError {
  constructor(message = 'operation cancelled', opts: { cause?: unknown } = {}) {
    super('CANCELLED', message, { retryable: false, cause: opts.cause });
  }
}

/**
 * The process was told to stop by its environment (SIGTERM in a Job's container: preemption,
 * eviction, a node drain, the Job's deadline) and stopped after saving a checkpoint. Retryable: the
 * work is fine, and a retry resumes from that checkpoint.
 */
export class TerminatedError extends SpnasError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('TERMINATED', message, { retryable: true, cause: opts.cause });
  }
}
