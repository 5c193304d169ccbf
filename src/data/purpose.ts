/** Purpose tags of the data pipeline's seeds, so the shuffle and the augmentation of the same (seed, epoch) are independent. */
export const Purpose = { split: 1, epochOrder: 2, augment: 3, shardOrder: 4, sampleShuffle: 5 } as const;
