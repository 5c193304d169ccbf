/**
 * Public API of the data layer. Plain typed arrays only: no TF.js here, the engine makes tensors.
 *   loadImageDataset(uri, { limit, imageSize, signal }) -> ImageDataset (NHWC uint8 in memory)
 *   splitDataset(ds, { valCount | valFraction, seed }) -> { train, val }
 *   new BatchLoader(ds, { batchSize, seed, shuffle, augment, mean, std, dropLast }).batches(epoch, startBatch)
 */
export { loadImageDataset, splitDataset, subsetDataset, decodeSample, type ImageDataset, type LoadOptions } from './dataset';
export { BatchLoader, type Batch, type BatchLoaderOptions } from './batch-loader';
export { openSampleSource, type SampleSource, type RawSample, type ShuffleOptions, type OpenSourceOptions } from './source';
export { decodeImage, resizeBilinear, type RawImage } from './decode';
export { readTar, type TarMember } from './tar-reader';
export { buildTar, tarHeader } from './tar-writer';
export { expandBraces, resolveShards, type ShardRef } from './shards';
export { readIdx, type IdxArray } from './idx';
export { packImageFolder, type PackOptions, type PackResult } from './pack';
export { encodeGridPng } from './grid';
export { Rng, rngFor, hashSeed, permutation } from '../random';
export { Purpose } from './purpose';
