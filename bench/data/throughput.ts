/**
 * Data-loading throughput on the CIFAR-10 shards (../shared/data/cifar10-jpeg), single thread:
 *   read      tar parsing + sample grouping, no decoding (samples/s)
 *   decode    JPEG decode to uint8 RGB (images/s) - paid once by loadImageDataset
 *   augment   BatchLoader: shuffle, pad-crop 4, flip, normalise to float32 NHWC (images/s) - every epoch
 *   streaming decode + augment per image, i.e. the rate if every epoch re-decoded from shards
 * Usage: node --import tsx bench/data/throughput.ts [--limit N] [--batch B] [--json]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchLoader, decodeSample, loadImageDataset, openSampleSource, type RawSample } from '../../src/data';

const { values } = parseArgs({ options: { limit: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' } } });
const limit = Number(values.limit ?? 10000);
const batchSize = Number(values.batch ?? 128);
const shards = resolve(__dirname, '..', '..', '..', 'shared', 'data', 'cifar10-jpeg');

async function main(): Promise<void> {
  const source = await openSampleSource(shards);
  const raw: RawSample[] = [];
  let t = performance.now();
  for await (const s of source.samples()) {
    raw.push(s);
    if (raw.length >= limit) break;
  }
  const read = raw.length / ((performance.now() - t) / 1000);

  t = performance.now();
  for (const s of raw) decodeSample(s, 3);
  const decode = raw.length / ((performance.now() - t) / 1000);

  const ds = await loadImageDataset(shards, { limit });
  const loader = new BatchLoader(ds, {
    batchSize,
    seed: 0,
    augment: { padCrop: 4, flip: true },
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.2435, 0.2616],
    dropLast: true,
  });
  let n = 0;
  t = performance.now();
  for await (const b of loader.batches(0)) n += b.size;
  const augment = n / ((performance.now() - t) / 1000);
  const streaming = 1 / (1 / decode + 1 / augment);

  const result = {
    images: raw.length,
    batchSize,
    readPerSec: Math.round(read),
    decodePerSec: Math.round(decode),
    augmentPerSec: Math.round(augment),
    streamingPerSec: Math.round(streaming),
    node: process.version,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  process.stdout.write(
    [
      `CIFAR-10 shards, ${raw.length} images, batch ${batchSize}, one thread (${process.version})`,
      `| stage | images/s |`,
      `|---|---|`,
      `| tar read + group (no decode) | ${result.readPerSec} |`,
      `| JPEG decode (once, at load) | ${result.decodePerSec} |`,
      `| shuffle + pad-crop + flip + normalise (per epoch) | ${result.augmentPerSec} |`,
      `| decode + augment (if re-decoding every epoch) | ${result.streamingPerSec} |`,
    ].join('\n') + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exitCode = 1;
});
