/** Retries with exponential backoff, for transient faults only, cancellable through an AbortSignal. */
import { CancelledError, SpnasError, TransientError } from '../errors';

/** Retry policy. */
export interface RetryOptions {
  /** Total attempts including the first. Default 6. */
  attempts?: number;
  /** Delay before the first retry, in ms. Default 200. */
  baseDelayMs?: number;
  /** Cap on one delay, in ms. Default 5000. */
  maxDelayMs?: number;
  /** Called before each retry wait (for logs and tests). */
  onRetry?: (info: { attempt: number; delayMs: number; error: TransientError }) => void;
}

/** The defaults, exported so callers can document them. */
export const DEFAULT_RETRY: Required<Omit<RetryOptions, 'onRetry'>> = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5000 };

/** Throws CancelledError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(`${what}: cancelled`, { cause: signal.reason });
}

/** Sleeps `ms`, rejecting with CancelledError as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal, what = 'wait'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError(`${what}: cancelled`, { cause: signal.reason }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError(`${what}: cancelled`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, throws a non-transient error, or the attempts are used up.
 * Only TransientError is retried: retrying bad credentials or a missing bucket cannot help and would
 * only hide the cause. Delays grow as base * 2^(attempt-1), capped, with "equal jitter" so that many
 * pods hitting a restarting server do not retry in lockstep.
 * @throws the last TransientError (message says how many attempts were made), or the first other error.
 */
export async function withRetry<T>(what: string, fn: (attempt: number) => Promise<T>, opts: RetryOptions & { signal?: AbortSignal } = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_RETRY.attempts);
  const base = opts.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = opts.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(opts.signal, what);
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      if (opts.signal?.aborted) throw new CancelledError(`${what}: cancelled`, { cause: err });
      if (attempt >= attempts) {
        throw new TransientError(`${err.message} (gave up after ${attempts} attempts)`, { cause: err.cause ?? err, code: err.code });
      }
      const exp = Math.min(cap, base * 2 ** (attempt - 1));
      const delayMs = Math.round(exp / 2 + Math.random() * (exp / 2));
      opts.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs, opts.signal, what);
    }
  }
}

/** True for SpnasErrors that a caller may retry. */
export function isRetryable(err: unknown): boolean {
  return err instanceof SpnasError && err.retryable;
}
