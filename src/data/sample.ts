/** The undecoded sample that every dataset reader yields, and the per-epoch shuffle options readers take. */
import type { RawImage } from './decode';

/** Seeded per-epoch shuffling of a stream of samples. */
export interface ShuffleOptions {
  seed: number;
  epoch: number;
  /** Shuffle buffer size for tar shards (samples held in memory). Default 1000. */
  bufferSize?: number;
}

/** One undecoded sample. Exactly one of `encoded` / `pixels` is set. */
export interface RawSample {
  /** Sample key (tar key, image path or IDX index). */
  key: string;
  /** Shard/object and sample key, for error messages. */
  where: string;
  label: number;
  /** JPEG/PNG bytes. */
  encoded?: Uint8Array;
  /** Already-decoded pixels (IDX). */
  pixels?: RawImage;
}
