/** Runs a use case in this worker's process: the embedded default, and what a Job's container runs. */
import { USE_CASES } from '../src/usecases';
import type { UseCaseContext } from '../src/usecases/context';
import type { ExecutionRequest, Executor } from './executor';

export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;

  async run(req: ExecutionRequest, ctx: UseCaseContext): Promise<unknown> {
    const useCase = USE_CASES[req.name] as { run(input: unknown, ctx: UseCaseContext): Promise<unknown> };
    return useCase.run(req.input, ctx);
  }
}
