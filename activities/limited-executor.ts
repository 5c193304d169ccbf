/**
 * At most `limit` runs of an executor at once; the others wait their turn (a waiting activity still
 * heartbeats: its timer runs in heavyActivity). A worker whose activity slots are sized for watching
 * Jobs (SPNAS_JOB_CONCURRENCY, many) still computes in its own process only `computeConcurrency` at
 * a time, when a study asks for the local executor.
 */
import { CancelledError } from '../src/errors';
import type { UseCaseContext } from '../src/usecases/context';
import type { ExecutionRequest, Executor } from './executor';

export class LimitedExecutor implements Executor {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly inner: Executor,
    private readonly limit: number,
  ) {}

  get kind(): Executor['kind'] {
    return this.inner.kind;
  }

  async run(req: ExecutionRequest, ctx: UseCaseContext): Promise<unknown> {
    await this.acquire(ctx.signal);
    try {
      return await this.inner.run(req, ctx);
    } finally {
      this.release();
    }
  }

  private async acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new CancelledError('cancelled while waiting for a compute slot', { cause: signal?.reason }));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
