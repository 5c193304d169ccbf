/**
 * An accuracy as a study records and shows it: top-1 with the number of images it was measured on
 * and its 95% Wilson interval (src/stats/binomial.ts). Records from before the image count was kept
 * load as they are: their count is unknown, so they have no interval, and they say so when shown.
 */
import { differenceInterval, wilsonInterval } from '../stats/binomial';

/** A top-1 and, when known, the number of images it was measured on. */
export interface MeasuredTop1 {
  top1: number;
  images?: number;
}

/** Correct images behind a top-1 on `images` images (top1 = correct / images up to rounding). */
function correctOf(top1: number, images: number): number {
  return Math.min(images, Math.max(0, Math.round(top1 * images)));
}

/** The count when it is a usable one (a positive integer); else undefined. */
function knownImages(images: number | undefined): number | undefined {
  return images !== undefined && Number.isInteger(images) && images > 0 ? images : undefined;
}

/** 95% Wilson interval [low, high] of a top-1, or undefined when its image count is unknown. */
export function top1Interval(top1: number, images: number | undefined): [number, number] | undefined {
  const n = knownImages(images);
  if (n === undefined || !Number.isFinite(top1)) return undefined;
  const w = wilsonInterval(correctOf(top1, n), n);
  return [w.low, w.high];
}

/** The fields a record carries for one accuracy: its image count and interval (both absent when unknown). */
export function top1Fields(top1: number, images: number | undefined): { images?: number; interval?: [number, number] } {
  const interval = top1Interval(top1, images);
  return interval ? { images: images!, interval } : {};
}

/**
 * Whether a's top-1 is resolvably higher (1), lower (-1) or not resolved (0) from b's at 95%: the
 * Newcombe interval of the difference excludes 0 or not. Null when either count is unknown (then
 * nothing can be said about resolution; callers fall back to the point estimates).
 */
export function compareTop1(a: MeasuredTop1, b: MeasuredTop1): 1 | 0 | -1 | null {
  const na = knownImages(a.images);
  const nb = knownImages(b.images);
  if (na === undefined || nb === undefined) return null;
  const d = differenceInterval(correctOf(a.top1, na), na, correctOf(b.top1, nb), nb);
  return d.low > 0 ? 1 : d.high < 0 ? -1 : 0;
}

const pct = (v: number, digits: number) => (100 * v).toFixed(digits);

/** "34.2% [30.1-38.5] on 500 images", or "34.2% (n unknown, no interval)" for old records. */
export function formatTop1(top1: number, images: number | undefined, digits = 1): string {
  const interval = top1Interval(top1, images);
  if (!interval) return `${pct(top1, digits)}% (n unknown, no interval)`;
  return `${pct(top1, digits)}% [${pct(interval[0], digits)}-${pct(interval[1], digits)}] on ${images} images`;
}
