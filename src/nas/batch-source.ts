/**
 * What the engine needs from a data loader (src/data's BatchLoader satisfies it): deterministic
 * batches per (epoch, index), so a resumed run sees exactly the batches an uninterrupted one would.
 */
export interface Batch {
  /** NHWC, normalised. */
  images: Float32Array;
  labels: Int32Array;
  size: number;
  index: number;
}

export interface BatchSource {
  readonly batchesPerEpoch: number;
  batches(epoch: number, startBatch?: number): AsyncIterable<Batch>;
}
