/**
 * A search's trace (trace.json beside its checkpoints, src/usecases/search-trace.ts) as the report
 * draws it: CE, the runtime term and the loss over the steps, and each layer's decision as runs of
 * steps with the same op (a few dozen segments instead of 200 points per layer).
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';

const tracePointSchema = z.looseObject({
  step: z.number().int().nonnegative(),
  loss: z.number(),
  ce: z.number(),
  runtimeMs: z.number(),
  lambda: z.number().optional(),
  architecture: z.string().min(1),
});
export const traceSchema = z.looseObject({ every: z.number().int().positive().optional(), points: z.array(tracePointSchema) });
export type TraceInput = z.output<typeof traceSchema>;

export function parseTrace(value: unknown, source: string): TraceInput {
  return parseOrThrow(traceSchema, value, source);
}

export interface DecisionRun {
  /** First and last step (inclusive) at which the layer had this op. */
  from: number;
  to: number;
  op: string;
}

export interface SearchCurve {
  /** Trials whose search this is (a promoted configuration continues its search). */
  trialIds: number[];
  lambda?: number;
  steps: number[];
  ce: number[];
  runtimeMs: number[];
  loss: number[];
  /** Per searchable layer, the runs of equal decisions over the steps. */
  decisions: DecisionRun[][];
  /** The architecture at the last recorded step. */
  finalArchitecture?: string;
}

export function searchCurve(trace: TraceInput, trialIds: number[], lambda?: number): SearchCurve {
  const pts = [...trace.points].sort((a, b) => a.step - b.step);
  const decisions: DecisionRun[][] = [];
  for (const p of pts) {
    p.architecture.split(',').forEach((op, layer) => {
      const runs = (decisions[layer] ??= []);
      const last = runs[runs.length - 1];
      if (last && last.op === op) last.to = p.step;
      else runs.push({ from: p.step, to: p.step, op });
    });
  }
  return {
    trialIds,
    ...(lambda !== undefined ? { lambda } : {}),
    steps: pts.map((p) => p.step),
    ce: pts.map((p) => p.ce),
    runtimeMs: pts.map((p) => p.runtimeMs),
    loss: pts.map((p) => p.loss),
    decisions,
    ...(pts.length ? { finalArchitecture: pts[pts.length - 1]!.architecture } : {}),
  };
}
