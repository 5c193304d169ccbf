/**
 * One naming scheme for blocks and weights, shared by the supernet and the child builder, so that
 * weights can move from one to the other by name (layer name + '/' + weight name in tf.layers).
 */
export type BlockName = string;

export const blockName = {
  first: 'b0',
  searchable: (i: number): BlockName => `l${i + 1}`,
  last: 'blast',
} as const;
