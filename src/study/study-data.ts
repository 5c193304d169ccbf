/**
 * Which images a study's trials and its final phase read. A study with `data.plan` cuts one seeded
 * permutation of its source into test / selection / trial-training / final-training ranges
 * (src/study/data-plan.ts), sized by the spec: the selection split from the resolution the study
 * needs (`objectives.resolution`, a 95% half-width in percentage points of a trial's top-1, worst
 * case p = 0.5). The plan is made once when the study is prepared and stored with it; every trial
 * reads the plan's trial spec and the final phase its final spec, so the test split is read only by
 * the final evaluation. A spec without a plan (the split form of earlier versions) keeps its meaning:
 * trials and final read `data.train` (or `budget.final.data`).
 */
import { z } from 'zod';
import type { DataSpec } from '../config/data-spec';
import { imagesForHalfWidth } from '../stats/binomial';
import type { DataPlan, DataPlanCounts } from './data-plan';

export const dataPlanSpecSchema = z
  .object({
    /** Seed of the permutation; the source's first `data.train.limit` images are permuted. */
    seed: z.number().int().min(0).default(0),
    /** Final test split: read only by the final evaluation (the final model's reported accuracy). */
    testImages: z.number().int().positive(),
    /** Trial training images (searches and trial retraining). */
    trialTrainImages: z.number().int().positive(),
    /** Selection images that score trials; default: what `objectives.resolution` needs. */
    selectionImages: z.number().int().positive().optional(),
    /** Final training images; default: every image outside the test split. */
    finalTrainImages: z.number().int().positive().optional(),
  })
  .strict();
export type DataPlanSpec = z.output<typeof dataPlanSpecSchema>;

/** The parts of a study spec the data plan reads (structural: this module must not import the spec). */
export interface StudyDataParts {
  data: { train: { uri: string; limit?: number }; plan?: DataPlanSpec };
  objectives: { resolution?: number };
}

/** Selection images for a resolution in percentage points (95% half-width at p = 0.5). */
export function selectionImagesFor(resolutionPp: number): number {
  return imagesForHalfWidth(resolutionPp / 100);
}

/**
 * The counts of a study's data plan, or undefined for a spec without one. The spec's validation
 * (src/study/spec.ts) reports every way these can fail to fit; this throws RangeError only for a spec
 * that skipped it.
 */
export function dataPlanCounts(s: StudyDataParts): DataPlanCounts | undefined {
  const p = s.data.plan;
  if (!p) return undefined;
  const selectionImages = p.selectionImages ?? (s.objectives.resolution !== undefined ? selectionImagesFor(s.objectives.resolution) : undefined);
  if (s.data.train.limit === undefined || selectionImages === undefined)
    throw new RangeError('data plan: data.train.limit and objectives.resolution (or data.plan.selectionImages) are required');
  return {
    uri: s.data.train.uri,
    total: s.data.train.limit,
    seed: p.seed,
    testImages: p.testImages,
    selectionImages,
    trialTrainImages: p.trialTrainImages,
    ...(p.finalTrainImages !== undefined ? { finalTrainImages: p.finalTrainImages } : {}),
  };
}

/** What a study's activities read: its plan's specs, or (no plan) the spec's own data. */
export interface StudyData {
  /** Trials' searches, retraining and evaluation: training = trial training, held-out = selection. */
  trial: DataSpec;
  /** Final retraining: its held-out split is the final test split when the study has a plan. */
  final: DataSpec;
  /** URI of the stored data plan (data-plan.json), when there is one. */
  planUri?: string;
}

export function studyData(s: { data: { train: DataSpec }; budget: { final: { data?: DataSpec } } }, plan?: { uri: string; plan: DataPlan }): StudyData {
  if (plan) return { trial: plan.plan.trial, final: plan.plan.final, planUri: plan.uri };
  return { trial: s.data.train, final: s.budget.final.data ?? s.data.train };
}
