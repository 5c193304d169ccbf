/**
 * One-line summaries the Temporal UI shows on a study's timeline: a trial's child workflow (its
 * `staticSummary`) and each activity (its `summary`), so the timeline names trials and phases
 * instead of listing "TrialWorkflow" and "trainModel" over and over. Pure formatting.
 */
import type { Params } from '../src/hpo/space';

const NAMES: Record<string, string> = {
  lambda: 'lambda',
  targetFraction: 'target',
  thresholdLrMultiplier: 'thr. lr x',
  warmupFraction: 'warm-up',
  runtimeLoss: 'loss',
};

function value(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(3);
  return String(v);
}

/** `lambda 12.3, target 0.700, loss log` (the tuned parameters, shortest names first). */
export function paramsSummary(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => `${NAMES[k] ?? k} ${value(v)}`)
    .join(', ');
}

/** The child workflow's summary: which trial, at which budget, with which parameters. */
export function trialSummary(t: { trialId: number; configId: number; fidelity: number; params: Params; promotion: boolean }): string {
  const rung = t.fidelity < 1 || t.promotion ? ` (config ${t.configId}, fidelity ${t.fidelity.toFixed(2)}${t.promotion ? ', promotion' : ''})` : '';
  return `trial ${t.trialId}${rung}: ${paramsSummary(t.params)}`;
}
