import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';
import { trainConfigForRecipe } from '../../config/recipes';
import { evaluateTop1 } from '../../nas/evaluate';
import { measureModelLatency } from '../../nas/measure-latency';
import { exportModel } from '../../nas/model-export';
import { trainChild } from '../../nas/train-child';
import { architectureToString } from '../../space/architecture';
import { architectureMacs } from '../../space/flops';
import { openStore } from '../../storage/open-store';
import { CheckpointStore } from '../../storage/checkpoint-store';
import { defined, numberFlag, parseFlags, readJsonFile, requireFlag } from '../args';
import { claimRunDir, evalLoader, loadSplits, makeDataSpec, trainLoader, writeJson } from '../engine-io';
import { ProgressReporter } from '../progress';
import { readArchitectureInput } from '../run-inputs';
import { abortOnSignals } from '../signals';

const usage = `usage: spnas train --arch <architecture.json|search-out> --out <dir|s3://bucket/prefix> [options]

Retrains a derived architecture from scratch with plain TF.js layers, evaluates it on the held-out
split, measures its latency on this backend, and exports it as a TF.js model (<out>/model: model.json,
weight shards, architecture.json, manifest.json). Rerun with the same --out to resume.

options:
  --data <uri>          training data (default: the search's --data, with the same held-out split)
  --space <preset|file> search space (default: the search's, or the architecture's preset)
  --recipe <name>       reference (default: RMSProp, x0.97 every 2.4 epochs, 30 epochs; continuable
                        with a larger budget) | fast (SGD + cosine to 0 over the run, 4 epochs, batch 128:
                        a final retrain on all 50,000 CIFAR-10 images in ~20 minutes on 2 cores)
  --config <file.json>  train config (docs/engine.md) on top of the recipe; the flags below override both
  --epochs <n>          (default: the recipe's)
  --batch-size <n>      (default: the recipe's)
  --lr <x>              peak learning rate per 256 images (default: the recipe's)
  --seed <n>            (default 0)
  --limit <n> --val-count <n> --split-seed <n>   data options, as for 'spnas search'
  --json                print one JSON object of results on stdout
`;

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'retrain a derived architecture from scratch and export it as a TF.js model',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('train', argv, {
      arch: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' }, space: { type: 'string' }, config: { type: 'string' }, recipe: { type: 'string' },
      epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' },
      limit: { type: 'string' }, 'val-count': { type: 'string' }, 'split-seed': { type: 'string' }, json: { type: 'boolean' },
    });
    const input = await readArchitectureInput(requireFlag(f, 'arch', 'train'), f.space as string | undefined);
    const { space, architecture } = input;
    const fileCfg = (f.config ? readJsonFile(f.config as string, 'train config') : {}) as Record<string, unknown>;
    const config = trainConfigForRecipe((f.recipe as string | undefined) ?? 'reference', {
      ...fileCfg,
      ...defined({ epochs: numberFlag(f, 'epochs'), batchSize: numberFlag(f, 'batch-size'), seed: numberFlag(f, 'seed') }),
      ...(numberFlag(f, 'lr') !== undefined ? { optimizer: { ...((fileCfg.optimizer as object) ?? {}), lrPer256: numberFlag(f, 'lr') } } : {}),
    }, f.config ? `train config '${f.config}' with flags` : 'train options');
    const data = makeDataSpec({ uri: f.data as string | undefined, limit: numberFlag(f, 'limit'), valCount: numberFlag(f, 'val-count'), splitSeed: numberFlag(f, 'split-seed') }, input.data);
    const store = openStore(requireFlag(f, 'out', 'train'));
    const run = { kind: 'train', space, architecture, config, data };
    await claimRunDir(store, run, 'training run');

    const { tf } = loadTf();
    const progress = new ProgressReporter('train');
    const { signal, release } = abortOnSignals();
    try {
      const splits = await loadSplits(space, data, signal);
      progress.log(`train: ${architectureToString(architecture)} on ${splits.train.size} images, ${config.epochs} epochs`);
      const t0 = Date.now();
      const result = await trainChild({
        tf, space, architecture, config, signal,
        train: trainLoader(space, splits.train, config),
        checkpoints: new CheckpointStore(store, 'checkpoints', { keep: config.keepCheckpoints }),
        onProgress: (p) => progress.update({ done: p.step, total: p.totalSteps, detail: `loss ${Number(p.stats.loss).toFixed(3)} ${p.imagesPerSec.toFixed(0)} img/s` }),
      });
      const seconds = (Date.now() - t0) / 1000;
      const inputShape: [number, number, number] = [space.inputSize, space.inputSize, space.inputChannels];
      const val = await evaluateTop1(tf, (x) => result.model.predict(x) as ReturnType<typeof tf.zeros>, evalLoader(space, splits.val), inputShape);
      const latencyMs = await measureModelLatency(tf, result.model, inputShape);
      const metrics = { valTop1: val.top1, valCount: val.count, latencyMs, macs: architectureMacs(space, architecture).total, params: result.model.countParams(), trainSeconds: seconds, finalLoss: result.finalLoss };
      await exportModel(tf, result.model, store, 'model', { space, architecture, seed: config.seed, data, ...(input.search ? { search: input.search } : {}), metrics });
      const summary = { architecture: architectureToString(architecture), ...metrics, steps: result.steps, resumedFromStep: result.resumedFromStep, model: `${store.uri}/model` };
      await writeJson(store, 'train.json', summary);
      result.model.dispose();
      if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else progress.log(`top-1 ${(100 * val.top1).toFixed(2)}% on ${val.count} held-out images, latency ${latencyMs.toFixed(2)} ms\nexported ${store.uri}/model`);
      return 0;
    } finally {
      release();
    }
  },
};
