/**
 * 95% Wilson intervals of top-1 figures given as <top1>@<images> (the same function a study uses,
 * src/study/accuracy.ts), for figures recorded before studies kept their image counts.
 *
 *   node --import tsx bench/stats/wilson.ts 0.328@500 0.734@5000
 */
import { top1Interval } from '../../src/study/accuracy';

for (const arg of process.argv.slice(2)) {
  const [top1, images] = arg.split('@').map(Number);
  const iv = top1 === undefined || images === undefined ? undefined : top1Interval(top1, images);
  if (!iv) throw new Error(`'${arg}': give <top1 as a fraction>@<images>, e.g. 0.328@500`);
  console.log(`${(100 * top1!).toFixed(1)}% on ${images} images: [${(100 * iv[0]).toFixed(1)}, ${(100 * iv[1]).toFixed(1)}]`);
}
