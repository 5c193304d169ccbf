/**
 * What every use case receives besides its JSON input: cancellation, progress and log sinks. The CLI
 * prints progress; a Temporal activity heartbeats with it (the last checkpoint included, so a retry
 * can say where it resumed); a Kubernetes Job's container logs it.
 */
export interface UseCaseProgress {
  /** Short name of the phase: 'load', 'search', 'train', 'evaluate', 'latency', 'profile'. */
  phase: string;
  done: number;
  total: number;
  /** One line for humans: loss, rate, current architecture. */
  detail?: string;
  /** Small numbers worth a heartbeat (loss, runtime, images/s). */
  metrics?: Record<string, number | string>;
  /** The newest checkpoint written so far. */
  checkpoint?: { uri: string; step: number };
}

export interface UseCaseContext {
  signal?: AbortSignal;
  onProgress?: (p: UseCaseProgress) => void;
  log?: (line: string) => void;
  /**
   * Who writes the run directory (a lease owner): `<workflowId>/<activityId>/<attempt>` for an
   * activity, `cli:<host>:<pid>` for the CLI. Default: the CLI form.
   */
  owner?: string;
}
