/** What a study carries from one run into the next (continue-as-new). */
import type { TrialOutcome } from '../../src/hpo/sampler';
import type { DeviceFingerprint, LatencyUnit } from '../../src/latency/device-fingerprint';
import type { StudyData } from '../../src/study/study-data';
import type { StudyBookState } from '../../src/study/study-book';

/** What a study carries into its next run (continue-as-new). */
export interface StudyCarry {
  studyRoot: string;
  tableUri: string;
  /** The table's prediction for the largest network: the unit of a trial's search target. */
  largestMs: number;
  /** The data specs trials and final phase read (the study's data plan); absent in runs before the data plan, which read the spec's data. */
  data?: StudyData;
  /** The largest network measured on the device at the start: the unit of a measured objective's target (absent before it existed). */
  measuredLargestMs?: number;
  /** The device it was measured on (absent in runs before it was carried). */
  measuredDevice?: DeviceFingerprint;
  searchAttributes: boolean;
  book: StudyBookState;
  /** URI of the sampler's state in the store (it grows with the trials, so it never travels through the history); null before the first proposal. */
  sampler: string | null;
  /** Proposals made so far (names the next sampler state). */
  proposals: number;
  /** Outcomes not yet told to the sampler. */
  outbox: Array<{ trialId: number; outcome: TrialOutcome }>;
  /** Shared warm-ups by content key: run directory, steps at each epoch boundary, seconds per epoch. */
  warmups: Record<string, { run: string; epochSteps: number[]; secondsPerEpoch: number }>;
  planned: number;
  parallelism: number;
  launched: number;
  stopping: boolean;
  startedAt: number;
  runs: number;
}

/**
 * The study's unit of measured latency, passed to every evaluation (trial and final): each pod or process
 * turns the ratio it measures into ms with this one value (src/usecases/device-reference.ts).
 * Undefined with predicted latency, or in runs carried from before the unit existed.
 */
export function latencyReference(carry: Pick<StudyCarry, 'measuredLargestMs' | 'measuredDevice'>): LatencyUnit | undefined {
  if (carry.measuredLargestMs === undefined) return undefined;
  return { ms: carry.measuredLargestMs, ...(carry.measuredDevice ? { fingerprint: carry.measuredDevice } : {}) };
}
