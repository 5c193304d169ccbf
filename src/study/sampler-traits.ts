/**
 * What a study needs to know of its sampler without loading it: whether trials report a vector and
 * whether they carry budgets. Workflow code imports this (src/hpo/sampler-catalog.ts holds the facts;
 * no sampler's algorithm is imported, so the workflow bundle carries none).
 */
import { samplerTraits } from '../hpo/sampler-catalog';
import type { StudySpec } from './spec';

/** Whether the sampler takes [top-1, latency] vectors (ParEGO) rather than a scalar reward. */
export function vectorObjective(spec: StudySpec): boolean {
  return samplerTraits(spec.hpo.sampler)?.vectorObjective === true;
}

/** Samplers whose trials carry a budget and are promoted by continuing their runs (Hyperband, ASHA, BOHB). */
export const MULTI_FIDELITY_SAMPLERS: { has(name: string): boolean } = {
  has: (name) => samplerTraits(name)?.multiFidelity === true,
};
