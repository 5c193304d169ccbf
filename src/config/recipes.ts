/**
 * Named retraining recipes: validated presets of the train config that the CLI (`spnas train
 * --recipe <name>`) and the study workflow select by name; explicit options override a recipe's values.
 *
 * - 'reference': the reference's recipe scaled to CIFAR (RMSProp, lr 0.016 per 256 images, 1-epoch
 *   warm-up, x0.97 every 2.4 epochs). Its learning rate is a function of the epoch only, so a child
 *   trained for a few epochs and continued later with a larger budget follows the same curve as a
 *   run with the larger budget from the start: the schedule multi-fidelity HPO needs.
 * - 'fast': for a final retrain from scratch on a short budget (all 50,000 CIFAR-10 images, ~20
 *   minutes on a 2-core CPU; measured in docs/engine.md "Retraining recipes"): SGD with Nesterov
 *   momentum, a short linear warm-up and a cosine decay to zero over the run's epochs (so it depends on
 *   the budget), batch 128, label smoothing 0.1, pad-crop 4 + flip.
 */
import { InvalidInputError } from '../errors';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from './training-config';

export const TRAIN_RECIPES = {
  reference: { optimizer: { lrWarmupEpochs: 1 } },
  fast: {
    epochs: 4,
    batchSize: 128,
    weightDecay: 5e-4,
    labelSmoothing: 0.1,
    augment: { padCrop: 4, flip: true },
    optimizer: { kind: 'sgd', momentum: 0.9, lrPer256: 0.4, schedule: 'cosine', lrWarmupEpochs: 0.3, lrFinalFraction: 0 },
  },
} as const satisfies Record<string, TrainConfigInput>;

export type TrainRecipe = keyof typeof TRAIN_RECIPES;
export const TRAIN_RECIPE_NAMES = Object.keys(TRAIN_RECIPES) as TrainRecipe[];

/** The train config input of `recipe` with `overrides` on top (nested optimizer / augment fields merge); unvalidated. */
export function recipeConfigInput(recipe: string, overrides: TrainConfigInput = {}): TrainConfigInput {
  if (!(TRAIN_RECIPE_NAMES as string[]).includes(recipe))
    throw new InvalidInputError(`unknown training recipe '${recipe}': choose one of ${TRAIN_RECIPE_NAMES.join(', ')}`);
  const base = TRAIN_RECIPES[recipe as TrainRecipe] as TrainConfigInput;
  return {
    ...base,
    ...overrides,
    ...(base.optimizer || overrides.optimizer ? { optimizer: { ...base.optimizer, ...overrides.optimizer } } : {}),
    ...(base.augment || overrides.augment ? { augment: { ...base.augment, ...overrides.augment } } : {}),
  };
}

/** The train config of `recipe` with `overrides` on top, validated. */
export function trainConfigForRecipe(recipe: string, overrides: TrainConfigInput = {}, source = 'train options'): TrainConfig {
  return parseTrainConfig(recipeConfigInput(recipe, overrides), `${source} (recipe '${recipe}')`);
}

/**
 * A train config input that may name its recipe (`{ recipe: 'fast', epochs: 3 }`, as a study spec's
 * `budget.retrain`): the recipe's values with the other fields on top; unvalidated.
 */
export function withNamedRecipe(input: Record<string, unknown>): TrainConfigInput {
  const { recipe, ...overrides } = input;
  if (recipe === undefined) return overrides as TrainConfigInput;
  if (typeof recipe !== 'string') throw new InvalidInputError(`recipe must be a recipe name (${TRAIN_RECIPE_NAMES.join(', ')}), got ${JSON.stringify(recipe)}`);
  return recipeConfigInput(recipe, overrides as TrainConfigInput);
}
