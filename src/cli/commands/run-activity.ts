/**
 * `spnas run-activity <name> --input <dir URI>`: runs one use case from a JSON input in the object
 * store and writes its result beside it. This is what a Kubernetes Job's container runs for a heavy
 * activity, so a pod runs exactly the code a local worker runs in-process.
 *
 * Contract (docs/kubernetes.md): reads `<dir>/input.json`; writes `<dir>/progress.json` at each
 * checkpoint; on success writes `<dir>/result.json` and exits 0; on a typed failure writes
 * `<dir>/error.json` = {code, message, retryable} and exits 1. On SIGTERM (the pod is being stopped:
 * preemption, eviction, a drain, the Job's deadline) the use case stops after its current step with a
 * checkpoint and the error is TERMINATED, retryable: the next pod or attempt resumes from it.
 */
import type { CliCommand } from '../command';
import { InvalidInputError, SpnasError, TerminatedError } from '../../errors';
import { openStore } from '../../storage/open-store';
import { readJson, writeJson } from '../../storage/json-store';
import { USE_CASES, USE_CASE_NAMES, type UseCaseName } from '../../usecases';
import type { UseCaseProgress } from '../../usecases/context';
import { parseFlags, requireFlag } from '../args';
import { stopSignalOf } from '../signals';
import { cliContext } from '../use-case-context';

const usage = `usage: spnas run-activity <name> --input <dir|s3://bucket/prefix>

Runs one use case (${USE_CASE_NAMES.join(', ')}) on <input>/input.json and writes
<input>/result.json (exit 0) or <input>/error.json (exit 1). Used as a Kubernetes Job's command.
`;

export const runActivityCommand: CliCommand = {
  name: 'run-activity',
  summary: 'run one heavy activity from a JSON input in the store (a Job container)',
  usage,
  async run(argv) {
    const { values: f, positionals } = parseFlags('run-activity', argv, { input: { type: 'string' } }, 1);
    const name = positionals[0];
    if (!name || !(USE_CASE_NAMES as string[]).includes(name)) {
      throw new InvalidInputError(`run-activity: unknown activity '${name ?? ''}'; choose one of ${USE_CASE_NAMES.join(', ')}`);
    }
    const store = openStore(requireFlag(f, 'input', 'run-activity'));
    const cli = cliContext(name);
    try {
      // A pod that replaces a disrupted one runs in the same prefix: its predecessor's error is not its own.
      await store.delete('error.json');
      const input = await readJson(store, 'input.json');
      if (input === undefined) throw new InvalidInputError(`run-activity: ${store.uri}/input.json does not exist`);
      let lastCheckpointStep = -1;
      const onProgress = (p: UseCaseProgress) => {
        cli.ctx.onProgress?.(p);
        if (p.checkpoint && p.checkpoint.step !== lastCheckpointStep) {
          lastCheckpointStep = p.checkpoint.step;
          void writeJson(store, 'progress.json', p).catch((err: Error) => cli.log(`run-activity: progress.json not written: ${err.message}`));
        }
      };
      const useCase = USE_CASES[name as UseCaseName] as { run(i: unknown, c: unknown): Promise<unknown> };
      const result = await useCase.run(input, { ...cli.ctx, onProgress });
      await writeJson(store, 'result.json', result);
      return 0;
    } catch (caught) {
      const err = asTermination(caught, cli.ctx.signal);
      if (err instanceof SpnasError) await writeJson(store, 'error.json', { code: err.code, message: err.message, retryable: err.retryable });
      throw err;
    } finally {
      cli.release();
    }
  },
};

/** After SIGTERM, whatever the use case threw is the consequence of being stopped: TERMINATED, retryable. */
function asTermination(err: unknown, signal: AbortSignal | undefined): unknown {
  const sig = stopSignalOf(signal);
  if (sig !== 'SIGTERM' || err instanceof TerminatedError) return err;
  const what = err instanceof Error ? err.message : String(err);
  return new TerminatedError(`run-activity stopped on SIGTERM (the pod is being stopped: preemption, eviction, a node drain or the deadline): ${what}`, {
    cause: err,
  });
}
