/**
 * Runs a few child-retraining and search steps on cifar-tiny (seeded synthetic batches) in this
 * process and prints one JSON line: the host-allocator setting libtensorflow saw and a sha256 of
 * every weight, optimizer slot and BN statistic afterwards. test/nas/host-allocator.test.ts runs it
 * under different environments and compares the digests.
 */
import { createHash } from 'node:crypto';
import { loadTf } from '../../src/backend/tf';
import { trainConfigForRecipe } from '../../src/config/recipes';
import { parseSearchConfig } from '../../src/config/training-config';
import { Supernet } from '../../src/nas/supernet';
import { createChildTrainer } from '../../src/nas/train-child';
import { createSearchStep, searchOptimizer } from '../../src/nas/train-step';
import { defaultTableFor } from '../../src/latency/default-tables';
import { architectureFromString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';

const { tf } = loadTf();
const space = getPreset('cifar-tiny');
const B = 16;
let s = 7;
const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
const batch = {
  images: new Float32Array(B * space.inputSize * space.inputSize * space.inputChannels).map(() => rnd() * 2 - 1),
  labels: Int32Array.from({ length: B }, (_, i) => i % space.numClasses),
  size: B,
};
const hash = createHash('sha256');
const add = (vs: Array<[string, { dataSync(): ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } }]>) => {
  for (const [n, v] of vs) {
    const d = v.dataSync();
    hash.update(n).update(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
};
const child = createChildTrainer(
  tf,
  space,
  architectureFromString(space, 'k5e6+se,skip,k3e3,k3e6,k5e3'),
  trainConfigForRecipe('fast', { batchSize: B, seed: 3 }),
);
for (let i = 0; i < 4; i++) child.step(batch, i, i / 10);
add(child.named);
add(child.opt.state());
const cfg = parseSearchConfig({ batchSize: B, seed: 3 });
const net = new Supernet(tf, space, 3, cfg.indicatorNorm);
const opt = searchOptimizer(tf, net, cfg);
const step = createSearchStep({ tf, space, config: cfg, table: defaultTableFor(space), net, opt, warmupSteps: 2 });
for (let i = 0; i < 4; i++) step(batch, i, i / 10);
add(net.params.all());
add(opt.state());
process.stdout.write(`${JSON.stringify({ allocatorBfc: process.env.TF_CPU_ALLOCATOR_USE_BFC ?? null, digest: hash.digest('hex') })}\n`);
