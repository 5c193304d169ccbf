/**
 * Where a heavy activity's use case runs: `local` (in this worker's process, the embedded default)
 * or `k8s-job` (one Kubernetes Job per attempt running `spnas run-activity`, the same use case).
 * Both take the same JSON input and return the same JSON result.
 */
import type { UseCaseName } from '../src/usecases';
import type { UseCaseContext } from '../src/usecases/context';

export interface ExecutionRequest {
  name: UseCaseName;
  input: unknown;
  /** Kubernetes requests/limits for this activity kind. */
  resources: { cpu: string; memory: string; gpu: number };
  /** Where a Job's input.json/result.json go (unique per workflow run, activity and attempt). */
  ioUri: string;
  /** Seconds the activity may run (a Job's activeDeadlineSeconds). */
  timeoutSeconds: number;
  labels: Record<string, string>;
  /** The Temporal attempt: names its Job, so a restarted worker finds the Job instead of starting another. */
  identity: { workflowId: string; runId: string; activityId: string; attempt: number };
}

export interface Executor {
  readonly kind: 'local' | 'k8s-job' | 'noop';
  run(req: ExecutionRequest, ctx: UseCaseContext): Promise<unknown>;
}
