/** Top-1 accuracy of a classifier over a BatchSource (one pass over epoch 0, no augmentation expected). */
import { yieldToEventLoop } from './training-loop';
import type * as TF from '@tensorflow/tfjs';
import type { BatchSource } from './batch-source';

export interface Top1 {
  top1: number;
  correct: number;
  count: number;
}

export async function evaluateTop1(
  tf: typeof TF,
  logitsOf: (x: TF.Tensor4D) => TF.Tensor,
  source: BatchSource,
  inputShape: [number, number, number],
): Promise<Top1> {
  let correct = 0;
  let count = 0;
  for await (const b of source.batches(0)) {
    await yieldToEventLoop();
    correct += tf.tidy(() => {
      const x = tf.tensor4d(b.images, [b.size, ...inputShape]);
      const pred = tf.argMax(logitsOf(x), 1);
      return tf.sum(tf.cast(tf.equal(pred, tf.tensor1d(b.labels, 'int32')), 'int32')).dataSync()[0]!;
    });
    count += b.size;
  }
  return { top1: count ? correct / count : NaN, correct, count };
}
