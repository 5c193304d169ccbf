import type { CliCommand } from '../command';
import { makeDataSpec } from '../../config/data-spec';
import { parseSearchConfig } from '../../config/training-config';
import { searchArchitecture } from '../../usecases/search-architecture';
import { defined, numberFlag, parseFlags, readJsonFile, readJsonObjectFile, requireFlag } from '../args';
import { resolveSpace } from '../space-arg';
import { cliContext } from '../use-case-context';

const usage = `usage: spnas search --space <preset|spec.json> --data <uri> --out <dir|s3://bucket/prefix> [options]

Runs a Single-Path NAS search: trains the supernet's weights and indicator thresholds jointly, then
derives the architecture. Rerun with the same --out to resume from the last checkpoint.

options:
  --config <file.json>      search config (docs/engine.md); the flags below override it
  --table <file.json|device|shipped>
                            latency table (default 'device': this device's, from the table cache
                            ~/.cache/spnas/tables or SPNAS_TABLE_CACHE, profiled here first when none
                            is cached, about a minute; 'shipped': the table shipped for the space)
  --epochs <n>              search epochs (default 8)
  --warmup-epochs <n>       epochs with lambda 0 and indicator dropout (default 5)
  --batch-size <n>          (default 128)
  --seed <n>                (default 0)
  --lambda <x>              runtime-term weight (default 20 = the reference's 0.020 x 1000)
  --runtime-loss <kind>     log | mnas | hinge (default log)
  --target-ms <t>           target latency for mnas / hinge
  --threshold-lr-mult <x>   learning-rate multiplier of the thresholds (default 1)
  --lr <x>                  learning rate per 256 images (default 0.016)
  --limit <n>               samples to read from --data (default all)
  --val-count <n>           held-out validation samples (default 10% of --limit, at most 5000)
  --split-seed <n>          seed of the train/validation split (default 0)
  --json                    print one JSON object of results on stdout

writes: <out>/architecture.json, <out>/search.json (results), <out>/run.json (inputs), <out>/trace.json, <out>/checkpoints/
`;

export const searchCommand: CliCommand = {
  name: 'search',
  summary: 'run a Single-Path NAS search and derive the architecture',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('search', argv, {
      space: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      table: { type: 'string' },
      epochs: { type: 'string' },
      'warmup-epochs': { type: 'string' },
      'batch-size': { type: 'string' },
      seed: { type: 'string' },
      lambda: { type: 'string' },
      'runtime-loss': { type: 'string' },
      'target-ms': { type: 'string' },
      'threshold-lr-mult': { type: 'string' },
      lr: { type: 'string' },
      limit: { type: 'string' },
      'val-count': { type: 'string' },
      'split-seed': { type: 'string' },
      json: { type: 'boolean' },
    });
    const space = resolveSpace(requireFlag(f, 'space', 'search'));
    const out = requireFlag(f, 'out', 'search');
    const fileCfg = f.config ? readJsonObjectFile(f.config as string, 'search config') : {};
    const runtimeLoss = {
      ...((fileCfg.runtimeLoss as object) ?? {}),
      ...defined({ lambda: numberFlag(f, 'lambda'), kind: f['runtime-loss'] as string | undefined, targetMs: numberFlag(f, 'target-ms') }),
    };
    const optimizer = { ...((fileCfg.optimizer as object) ?? {}), ...defined({ lrPer256: numberFlag(f, 'lr') }) };
    const config = {
      ...fileCfg,
      ...defined({
        epochs: numberFlag(f, 'epochs'),
        warmupEpochs: numberFlag(f, 'warmup-epochs'),
        batchSize: numberFlag(f, 'batch-size'),
        seed: numberFlag(f, 'seed'),
        thresholdLrMultiplier: numberFlag(f, 'threshold-lr-mult'),
      }),
      runtimeLoss,
      optimizer,
    };
    const data = makeDataSpec({
      uri: f.data as string | undefined,
      limit: numberFlag(f, 'limit'),
      valCount: numberFlag(f, 'val-count'),
      splitSeed: numberFlag(f, 'split-seed'),
    });
    parseSearchConfig(config, f.config ? `search config '${f.config}' with flags` : 'search options'); // fail on bad flags before loading data
    const which = (f.table as string | undefined) ?? 'device';
    const table =
      which === 'device'
        ? { device: true as const }
        : which === 'shipped'
          ? undefined
          : { table: readJsonFile(which, 'latency table'), source: `latency table '${which}'` };
    const cli = cliContext('search');
    try {
      const r = await searchArchitecture({ space, data, config, ...(table ? { table } : {}), out }, cli.ctx);
      if (f.json) process.stdout.write(JSON.stringify({ ...r, architecture: r.architectureString }) + '\n');
      else
        cli.log(
          `architecture ${r.architectureString}\npredicted ${r.predictedMs.toFixed(3)} ms, supernet top-1 ${(100 * r.supernetTop1).toFixed(2)}%\nwrote ${r.architectureUri}`,
        );
      return 0;
    } finally {
      cli.release();
    }
  },
};
