/**
 * A study's retraining config, for its trials (`budget.retrain`) and its final models
 * (`budget.final`) alike: the named recipe (if any) under the given fields, and the batch size from the
 * fields, else the recipe (its learning rate is tuned with it), else the study's `budget.batchSize`.
 * Unvalidated (the engine's schema validates it where it runs); pure, so the workflow can call it.
 */
import { withNamedRecipe } from '../config/recipes';
import type { TrainConfigInput } from '../config/training-config';

export function studyRetrainConfig(input: Record<string, unknown>, studyBatchSize: number): TrainConfigInput {
  const config = withNamedRecipe(input);
  return { ...config, batchSize: config.batchSize ?? studyBatchSize };
}
