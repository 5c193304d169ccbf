/**
 * A compact trace of a search (loss, CE, runtime R, lambda and the decoded architecture at ~200
 * evenly spaced steps), written beside the checkpoints so the report can draw how the search
 * converged, and cut back to the checkpoint's step when a run resumes.
 */
import type { SearchTraceRecord } from '../nas/search';
import type { ObjectStore } from '../storage/object-store';
import { readJson, writeJson } from '../storage/json-store';

/** The scalar part of the engine's per-step trace record, plus the architecture decoded at that step. */
export type TracePoint = Pick<SearchTraceRecord, 'step' | 'epoch' | 'loss' | 'ce' | 'runtimeMs' | 'lambda' | 'lr'> & {
  /** Decoded architecture at this step (`k5e6+se,skip,...`). */
  architecture: string;
};

export const TRACE_KEY = 'trace.json';

export class SearchTrace {
  private points: TracePoint[] = [];

  private constructor(
    private readonly store: ObjectStore,
    private readonly every: number,
  ) {}

  /** The trace of a run, keeping only points up to `resumeStep` (later ones belong to a lost attempt). */
  static async open(store: ObjectStore, totalSteps: number, resumeStep: number): Promise<SearchTrace> {
    const t = new SearchTrace(store, Math.max(1, Math.round(totalSteps / 200)));
    const old = (await readJson(store, TRACE_KEY)) as { points?: TracePoint[] } | undefined;
    t.points = (old?.points ?? []).filter((p) => p.step <= resumeStep);
    return t;
  }

  record(p: TracePoint): void {
    if (p.step % this.every === 0 || p.step === 1) this.points.push(p);
  }

  async save(): Promise<void> {
    await writeJson(this.store, TRACE_KEY, { every: this.every, points: this.points });
  }
}
