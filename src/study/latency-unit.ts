/**
 * One unit for the latency target. A target given as a fraction is resolved per unit: a trial's
 * search (its runtime term is the table's) uses the fraction of the table's largest network; the
 * study's objective and selection use the fraction of the largest network in the objective's unit:
 * measured on the device at the study's start when latency is measured (so a table off by 2x on this
 * device still gives a binding target), the table's prediction when latency is predicted.
 */
import type { StudySpec } from './spec';

/** The largest network in the objective's unit (ms): the measured one when measured and known, else the table's. */
export function objectiveLargestMs(spec: Pick<StudySpec, 'objectives'>, tableLargestMs: number, measuredLargestMs: number | undefined): number {
  return spec.objectives.latency === 'measured' && measuredLargestMs !== undefined ? measuredLargestMs : tableLargestMs;
}

/** The study's latency target (objective and selection), ms. */
export function objectiveTargetMs(spec: Pick<StudySpec, 'objectives'>, tableLargestMs: number, measuredLargestMs: number | undefined): number {
  return spec.objectives.latencyTargetFraction * objectiveLargestMs(spec, tableLargestMs, measuredLargestMs);
}
