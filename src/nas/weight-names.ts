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

/** The learned thresholds of a searchable layer (superkernel.ts LayerThresholds), one per decision. */
export const THRESHOLD_KEYS = ['t5x5', 't50c', 't100c', 'tse'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

/** Parameter name of searchable layer i's threshold (`l1/t5x5`), as the supernet registers it. */
export const thresholdName = (i: number, key: ThresholdKey): string => `${blockName.searchable(i)}/${key}`;

/** Whether a parameter name is a threshold's (thresholds are search state, not child weights). */
export const isThresholdName = (name: string): boolean => THRESHOLD_KEYS.some((k) => name.endsWith(`/${k}`));
