/**
 * Search-space specification: the backbone as data (stem, fixed first block, searchable stages, fixed
 * last block, head). Schema and defaults live here only; the TS type is inferred from the schema.
 *
 * Candidate ops per searchable layer are the Single-Path NAS set: MBConv with kernel 3|5 and
 * expansion 3|6 (one 5x5, e6 superkernel encodes all four), skip on non-first layers of a stage when
 * `skip` is allowed, and optionally a searchable squeeze-and-excitation path (`search.se`).
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { InvalidInputError } from '../errors';

const posInt = z.number().int().positive();
const rgb = z.tuple([z.number(), z.number(), z.number()]);

const fixedBlock = z
  .object({
    out: posInt,
    kernel: z.union([z.literal(3), z.literal(5)]),
    expansion: posInt,
    stride: z.union([z.literal(1), z.literal(2)]),
  })
  .strict();

export const searchSpaceSchema = z
  .object({
    name: z.string().min(1),
    /** Square input side in pixels. */
    inputSize: posInt,
    inputChannels: posInt.default(3),
    numClasses: z.number().int().min(2),
    /** Per-channel mean/std in 0..1 pixel units (pixels are divided by 255 first). */
    normalization: z.object({ mean: rgb, std: rgb }).strict(),
    stem: z.object({ filters: posInt, kernel: z.literal(3), stride: z.union([z.literal(1), z.literal(2)]) }).strict(),
    /** Block 0: fixed MBConv (k3 e1 in the paper). */
    firstBlock: fixedBlock,
    stages: z
      .array(
        z
          .object({
            out: posInt,
            /** Stride of the stage's first layer; the others have stride 1. */
            stride: z.union([z.literal(1), z.literal(2)]),
            layers: posInt,
            /** Whether the non-first layers may be skipped. */
            skip: z.boolean().default(true),
          })
          .strict(),
      )
      .min(1),
    /** Fixed MBConv after the searchable stages (k3 e6 -> 320 in the paper); null for none. */
    lastBlock: fixedBlock.nullable(),
    head: z.object({ filters: posInt, dropout: z.number().min(0).max(0.95) }).strict(),
    search: z
      .object({
        /** Searchable squeeze-and-excitation on the expanded channels (width 0 or seRatio * C_in). */
        se: z.boolean().default(false),
        seRatio: z.number().positive().max(1).default(0.25),
      })
      .strict()
      .default({ se: false, seRatio: 0.25 }),
    bn: z
      .object({ momentum: z.number().gt(0).lt(1).default(0.99), epsilon: z.number().positive().default(1e-3) })
      .strict()
      .default({ momentum: 0.99, epsilon: 1e-3 }),
  })
  .strict();

export type SearchSpaceInput = z.input<typeof searchSpaceSchema>;
export type SearchSpace = z.output<typeof searchSpaceSchema>;

/** Validates a space (schema, then shape arithmetic); every problem is named by its field path. */
export function parseSearchSpace(value: unknown, source = 'search space'): SearchSpace {
  const spec = parseOrThrow(searchSpaceSchema, value, source);
  const problems: string[] = [];
  let res = spec.inputSize;
  const down = (stride: number, where: string) => {
    if (stride === 2 && res % 2 !== 0)
      problems.push(`  - ${where}.stride: stride 2 on an odd ${res}x${res} feature map; use an input size divisible by the total stride`);
    res = Math.ceil(res / stride);
  };
  down(spec.stem.stride, 'stem');
  down(spec.firstBlock.stride, 'firstBlock');
  spec.stages.forEach((s, i) => down(s.stride, `stages[${i}]`));
  if (spec.lastBlock) down(spec.lastBlock.stride, 'lastBlock');
  if (res < 1) problems.push(`  - inputSize: ${spec.inputSize} is too small for the strides`);
  if (spec.inputChannels !== 3) problems.push(`  - inputChannels: only RGB (3) is supported, got ${spec.inputChannels}`);
  spec.normalization.std.forEach((s, i) => {
    if (s <= 0) problems.push(`  - normalization.std[${i}]: must be > 0, got ${s}`);
  });
  if (problems.length) throw new InvalidInputError(`invalid ${source}:\n${problems.join('\n')}`);
  return spec;
}
