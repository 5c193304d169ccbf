/** Loading a data spec's train/held-out splits and the batch sources the engine trains and evaluates on. */
import { InvalidInputError } from '../errors';
import type { DataSpec } from '../config/data-spec';
import { loadImageDataset, loadPermutationSplits, splitDataset, type ImageDataset } from '../data/dataset';
import { BatchLoader } from '../data/batch-loader';
import type { SearchSpace } from '../space/spec';

export interface LoadedSplits {
  train: ImageDataset;
  val: ImageDataset;
}

export async function loadSplits(space: SearchSpace, spec: DataSpec, signal?: AbortSignal): Promise<LoadedSplits> {
  const imageSize: [number, number] = [space.inputSize, space.inputSize];
  if (spec.plan) {
    const splits = await loadPermutationSplits(spec.uri, spec.plan, { imageSize, signal });
    checkClasses(space, spec, Math.max(splits.train.numClasses, splits.val.numClasses));
    return splits;
  }
  const ds = await loadImageDataset(spec.uri, { limit: spec.limit, imageSize, signal });
  checkClasses(space, spec, ds.numClasses);
  return splitDataset(ds, { valCount: spec.valCount, seed: spec.splitSeed });
}

function checkClasses(space: SearchSpace, spec: DataSpec, numClasses: number): void {
  if (numClasses > space.numClasses) {
    throw new InvalidInputError(
      `data ${spec.uri} has ${numClasses} classes but space '${space.name}' has ${space.numClasses}; use a spec with numClasses >= ${numClasses}`,
    );
  }
}

/** Every image of a data spec (no split): a separate test set for final evaluations. */
export async function loadAll(space: SearchSpace, spec: Pick<DataSpec, 'uri' | 'limit'>, signal?: AbortSignal): Promise<ImageDataset> {
  return loadImageDataset(spec.uri, { limit: spec.limit, imageSize: [space.inputSize, space.inputSize], signal });
}

export function trainLoader(
  space: SearchSpace,
  ds: ImageDataset,
  o: { batchSize: number; seed: number; augment: { padCrop: number; flip: boolean } },
): BatchLoader {
  if (ds.size < o.batchSize)
    throw new InvalidInputError(`the training split has ${ds.size} samples, fewer than the batch size ${o.batchSize}; lower the batch size or load more data`);
  return new BatchLoader(ds, {
    batchSize: o.batchSize,
    seed: o.seed,
    shuffle: true,
    augment: o.augment,
    mean: space.normalization.mean,
    std: space.normalization.std,
    dropLast: true,
  });
}

export function evalLoader(space: SearchSpace, ds: ImageDataset, batchSize = 256): BatchLoader {
  return new BatchLoader(ds, { batchSize, seed: 0, shuffle: false, mean: space.normalization.mean, std: space.normalization.std, dropLast: false });
}
