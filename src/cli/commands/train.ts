import type { CliCommand } from '../command';
import { trainConfigForRecipe } from '../../config/recipes';
import { makeDataSpec } from '../../config/data-spec';
import { trainModel } from '../../usecases/train-model';
import { defined, numberFlag, parseFlags, readJsonObjectFile, requireFlag } from '../args';
import { checkSearchRunOf } from '../run-checks';
import { readArchitectureInput } from '../run-inputs';
import { cliContext } from '../use-case-context';

const usage = `usage: spnas train --arch <architecture.json|search-out> --out <dir|s3://bucket/prefix> [options]

Retrains a derived architecture from scratch with plain TF.js layers, evaluates it on the held-out
split, measures its latency on this backend, and exports it as a TF.js model (<out>/model: model.json,
weight shards, architecture.json, manifest.json). Rerun with the same --out to resume; rerun with a
larger --epochs to continue training.

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
      arch: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      space: { type: 'string' },
      config: { type: 'string' },
      recipe: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      'val-count': { type: 'string' },
      'split-seed': { type: 'string' },
      json: { type: 'boolean' },
    });
    await checkSearchRunOf(requireFlag(f, 'arch', 'train'));
    const input = await readArchitectureInput(requireFlag(f, 'arch', 'train'), f.space as string | undefined);
    const fileCfg = f.config ? readJsonObjectFile(f.config as string, 'train config') : {};
    // fails on bad flags or an unknown recipe before any data is loaded
    const config = trainConfigForRecipe(
      (f.recipe as string | undefined) ?? 'reference',
      {
        ...fileCfg,
        ...defined({ epochs: numberFlag(f, 'epochs'), batchSize: numberFlag(f, 'batch-size'), seed: numberFlag(f, 'seed') }),
        ...(numberFlag(f, 'lr') !== undefined ? { optimizer: { ...((fileCfg.optimizer as object) ?? {}), lrPer256: numberFlag(f, 'lr') } } : {}),
      },
      f.config ? `train config '${f.config}' with flags` : 'train options',
    );
    const data = makeDataSpec(
      { uri: f.data as string | undefined, limit: numberFlag(f, 'limit'), valCount: numberFlag(f, 'val-count'), splitSeed: numberFlag(f, 'split-seed') },
      input.data,
    );
    const cli = cliContext('train');
    try {
      const r = await trainModel(
        {
          space: input.space,
          architecture: input.architecture,
          data,
          config,
          out: requireFlag(f, 'out', 'train'),
          ...(input.search ? { search: input.search } : {}),
        },
        cli.ctx,
      );
      if (f.json) process.stdout.write(JSON.stringify(r) + '\n');
      else
        cli.log(
          `top-1 ${(100 * r.valTop1).toFixed(2)}% on ${r.valCount} held-out images, latency ${r.latencyMs?.toFixed(2)} ms (mean, ${r.latencyBackend})\nexported ${r.model}`,
        );
      return 0;
    } finally {
      cli.release();
    }
  },
};
