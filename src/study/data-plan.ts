/**
 * A study's data plan: made once from counts, stored with the study, and the only source of the data
 * specs its activities read. One seeded permutation of the source's first `total` images is cut into
 * consecutive position ranges:
 *
 *   [0, test)                               final test split: read only by the final evaluation
 *   [test, test + selection)                trial selection: held-out images that score trials
 *   [test + selection, ... + trialTrain)    trial training: searches and trial retraining
 *   [test, test + finalTrain)               final training: every image but the test split
 *
 * So the test split is disjoint from every other range by construction, whatever the counts, and the
 * trials' training and selection images are disjoint from each other. The final retraining may use the
 * trials' images (more data; selection is over by then, and nothing it reports is scored on them).
 */
import type { DataSpec } from '../config/data-spec';

export interface DataPlanCounts {
  uri: string;
  /** Source images the plan covers (the first `total` in source order). */
  total: number;
  /** Seed of the permutation. */
  seed: number;
  testImages: number;
  selectionImages: number;
  trialTrainImages: number;
  /** Final training images; default every image outside the test split. */
  finalTrainImages?: number;
}

export interface DataPlan {
  uri: string;
  total: number;
  seed: number;
  ranges: { test: [number, number]; selection: [number, number]; trialTrain: [number, number]; finalTrain: [number, number] };
  /** Trials' data: training = trial training, held-out = selection. */
  trial: DataSpec;
  /** Final retraining's data: training = final training, held-out = the test split. */
  final: DataSpec;
}

/** The plan for these counts. @throws RangeError naming the count that does not fit. */
export function makeDataPlan(c: DataPlanCounts): DataPlan {
  for (const k of ['total', 'testImages', 'selectionImages', 'trialTrainImages'] as const)
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new RangeError(`data plan: ${k} must be a positive integer, got ${c[k]}`);
  const trialEnd = c.testImages + c.selectionImages + c.trialTrainImages;
  if (trialEnd > c.total)
    throw new RangeError(
      `data plan: test ${c.testImages} + selection ${c.selectionImages} + trial training ${c.trialTrainImages} = ${trialEnd} images, more than the ${c.total} the source has`,
    );
  const finalTrain = c.finalTrainImages ?? c.total - c.testImages;
  if (!Number.isInteger(finalTrain) || finalTrain < 1 || c.testImages + finalTrain > c.total)
    throw new RangeError(
      `data plan: finalTrainImages must be an integer in 1..${c.total - c.testImages} (the images outside the test split), got ${finalTrain}`,
    );
  const ranges = {
    test: [0, c.testImages] as [number, number],
    selection: [c.testImages, c.testImages + c.selectionImages] as [number, number],
    trialTrain: [c.testImages + c.selectionImages, trialEnd] as [number, number],
    finalTrain: [c.testImages, c.testImages + finalTrain] as [number, number],
  };
  const spec = (train: [number, number], val: [number, number]): DataSpec => ({
    uri: c.uri,
    splitSeed: 0,
    plan: { total: c.total, seed: c.seed, train, val },
  });
  return {
    uri: c.uri,
    total: c.total,
    seed: c.seed,
    ranges,
    trial: spec(ranges.trialTrain, ranges.selection),
    final: spec(ranges.finalTrain, ranges.test),
  };
}
