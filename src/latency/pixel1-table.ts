/**
 * The Pixel-1 latency table of Single-Path NAS (Stamoulis et al., ECML-PKDD 2019), for the
 * `mobilenetv2-imagenet` preset: TFLite, 1 thread, 224x224, batch 1, 50 runs per model, as profiled
 * by the authors (four homogeneous models, one per candidate). Rows are the searchable layers 1..20 of
 * the reference's block index (blocks 0 and 21 are fixed and are part of fixedMs). No SE costs: that
 * preset has no searchable SE.
 */
import { layoutOf } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import type { LatencyTable } from './latency-table';

/** [k3e3, k3e6, k5e3, k5e6] in ms, rows = searchable layers 1..20 (stage comments: in->out, output side). */
const ROWS: ReadonlyArray<readonly [number, number, number, number]> = [
  // stage 1: 16->24, stride 2, 56x56 out
  [4.49, 9.201, 5.925, 11.589],
  [3.411, 6.402, 4.885, 9.152],
  [3.422, 6.351, 4.972, 9.176],
  [3.422, 6.418, 4.988, 9.157],
  // stage 2: 24->40, stride 2, 28x28 out
  [1.959, 4.1, 2.446, 5.117],
  [2.049, 3.983, 2.619, 5.058],
  [2.05, 3.98, 2.617, 5.063],
  [2.076, 4.026, 2.594, 5.107],
  // stage 3: 40->80, stride 2, 14x14 out
  [1.232, 2.465, 1.396, 2.791],
  [1.581, 3.139, 1.819, 3.631],
  [1.578, 3.135, 1.807, 3.659],
  [1.587, 3.142, 1.803, 3.66],
  // stage 4: 80->96, stride 1, 14x14 out
  [1.734, 3.378, 1.965, 3.919],
  [2.18, 4.392, 2.437, 5.067],
  [2.18, 4.426, 2.455, 5.193],
  [2.194, 4.48, 2.453, 5.095],
  // stage 5: 96->192, stride 2, 7x7 out
  [1.616, 3.341, 1.7, 3.55],
  [2.43, 4.892, 2.57, 5.139],
  [2.46, 4.88, 2.647, 5.325],
  [2.438, 4.922, 2.665, 5.41],
];

/** Fixed part on Pixel 1 (stem, block 0, block 21, head), ms, from the reference. */
export const PIXEL1_FIXED_MS = 19.5999;

/** A fresh copy of the Pixel-1 table (callers may mutate their copy). */
export function pixel1Table(): LatencyTable {
  return {
    space: 'mobilenetv2-imagenet',
    device: 'pixel1',
    unit: 'ms',
    fixedMs: PIXEL1_FIXED_MS,
    layers: ROWS.map(([k3e3, k3e6, k5e3, k5e6]) => ({ k3e3, k3e6, k5e3, k5e6 })),
    meta: {
      backend: 'tflite',
      threads: 1,
      batch: 1,
      repeats: 50,
      host: 'Google Pixel 1',
      source: 'Single-Path NAS reference LUT (dstamoulis/single-path-nas), rows 1..20',
    },
  };
}

/** SE cost assumed by `pixel1ShapedTable`, as a fraction of the MBConv it sits in (the Pixel-1 LUT has none). */
export const PIXEL1_SHAPED_SE_FRACTION = 0.1;

/**
 * A synthetic table with the Pixel-1 table's shape for any space: layer i of N takes the Pixel-1 row
 * at the same relative depth (row floor(i * 20 / N)), the fixed part keeps its share (19.6 ms per 20
 * layers), and SE (when searchable) costs 10% of its MBConv. On a phone, unlike on the TF.js CPU
 * backend, kernel size and expansion cost about as much as a whole layer (k3e3 is 43% of k5e6 on
 * average): this table checks that the search uses those levers when the device rewards them.
 */
export function pixel1ShapedTable(space: SearchSpace): LatencyTable {
  const layers = layoutOf(space).searchable.length;
  const rows = Array.from({ length: layers }, (_, i) => {
    const [k3e3, k3e6, k5e3, k5e6] = ROWS[Math.floor((i * ROWS.length) / layers)]!;
    const se = space.search.se ? { se: { e3: PIXEL1_SHAPED_SE_FRACTION * k5e3, e6: PIXEL1_SHAPED_SE_FRACTION * k5e6 } } : {};
    return { k3e3, k3e6, k5e3, k5e6, ...se };
  });
  return {
    space: space.name,
    device: 'pixel1-shaped (synthetic)',
    unit: 'ms',
    fixedMs: (PIXEL1_FIXED_MS * layers) / ROWS.length,
    layers: rows,
    meta: { source: `Pixel-1 LUT rows resampled to ${layers} layers, SE ${PIXEL1_SHAPED_SE_FRACTION * 100}% of the MBConv; synthetic, for search tests` },
  };
}
