/**
 * Every use case by name, with its input schema: what `spnas run-activity <name>` (a Kubernetes Job's
 * container) and the Temporal activities dispatch on. The CLI commands call the functions directly.
 */
import type { z } from 'zod';
import type { UseCaseContext } from './context';
import { deriveArchitecture, deriveInputSchema } from './derive-architecture';
import { evaluateInputSchema, evaluateModel } from './evaluate-model';
import { exportInputSchema, exportModel } from './export-model';
import { profileInputSchema, profileLatency } from './profile-latency';
import { searchArchitecture, searchInputSchema } from './search-architecture';
import { trainInputSchema, trainModel } from './train-model';
import { warmupInputSchema, warmupSupernet } from './warmup-supernet';

export interface UseCase<S extends z.ZodType, R> {
  schema: S;
  run(input: z.input<S>, ctx?: UseCaseContext): Promise<R>;
}

function useCase<S extends z.ZodType, R>(schema: S, run: (input: z.input<S>, ctx?: UseCaseContext) => Promise<R>): UseCase<S, R> {
  return { schema, run };
}

export const USE_CASES = {
  searchArchitecture: useCase(searchInputSchema, searchArchitecture),
  warmupSupernet: useCase(warmupInputSchema, warmupSupernet),
  deriveArchitecture: useCase(deriveInputSchema, deriveArchitecture),
  trainModel: useCase(trainInputSchema, trainModel),
  evaluateModel: useCase(evaluateInputSchema, evaluateModel),
  profileLatency: useCase(profileInputSchema, profileLatency),
  exportModel: useCase(exportInputSchema, exportModel),
} as const;
export type UseCaseName = keyof typeof USE_CASES;
export const USE_CASE_NAMES = Object.keys(USE_CASES) as UseCaseName[];

export type { UseCaseContext, UseCaseProgress } from './context';
export { searchArchitecture, type SearchInput, type SearchOutput } from './search-architecture';
export { warmupSupernet, type WarmupInput, type WarmupOutput } from './warmup-supernet';
export { deriveArchitecture, type DeriveInput, type DeriveOutput } from './derive-architecture';
export { trainModel, type TrainInput, type TrainOutput } from './train-model';
export { evaluateModel, type EvaluateInput, type EvaluateOutput } from './evaluate-model';
export { profileLatency, type ProfileInput, type ProfileOutput } from './profile-latency';
export { exportModel, type ExportInput, type ExportOutput } from './export-model';
