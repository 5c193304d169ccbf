import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';
import { parseSearchConfig } from '../../config/training-config';
import { runSearch } from '../../nas/search';
import { evaluateTop1 } from '../../nas/evaluate';
import { architectureToString } from '../../space/architecture';
import { architectureMacs } from '../../space/flops';
import { predictArchitectureLatencyExact } from '../../runtime/model/runtime-model';
import { openStore } from '../../storage/open-store';
import { CheckpointStore } from '../../storage/checkpoint-store';
import { defined, numberFlag, parseFlags, readJsonObjectFile, requireFlag } from '../args';
import { claimRunDir, evalLoader, loadSplits, makeDataSpec, resolveTable, trainLoader, writeJson } from '../engine-io';
import { ProgressReporter } from '../progress';
import { refuseChangedRun } from '../run-checks';
import { resolveSpace } from '../space-arg';
import { abortOnSignals } from '../signals';

const usage = `usage: spnas search --space <preset|spec.json> --data <uri> --out <dir|s3://bucket/prefix> [options]

Runs a Single-Path NAS search: trains the supernet's weights and indicator thresholds jointly, then
derives the architecture. Rerun with the same --out to resume from the last checkpoint.

options:
  --config <file.json>      search config (docs/engine.md); the flags below override it
  --table <file.json>       latency table (default: the table shipped for the space; see 'spnas profile')
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

writes: <out>/architecture.json, <out>/search.json (results), <out>/run.json (inputs), <out>/checkpoints/
`;

export const searchCommand: CliCommand = {
  name: 'search',
  summary: 'run a Single-Path NAS search and derive the architecture',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('search', argv, {
      space: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' }, table: { type: 'string' },
      epochs: { type: 'string' }, 'warmup-epochs': { type: 'string' }, 'batch-size': { type: 'string' }, seed: { type: 'string' },
      lambda: { type: 'string' }, 'runtime-loss': { type: 'string' }, 'target-ms': { type: 'string' }, 'threshold-lr-mult': { type: 'string' },
      lr: { type: 'string' }, limit: { type: 'string' }, 'val-count': { type: 'string' }, 'split-seed': { type: 'string' }, json: { type: 'boolean' },
    });
    const space = resolveSpace(requireFlag(f, 'space', 'search'));
    const outUri = requireFlag(f, 'out', 'search');
    const fileCfg = f.config ? readJsonObjectFile(f.config as string, 'search config') : {};
    const rl = { ...((fileCfg.runtimeLoss as object) ?? {}), ...defined({ lambda: numberFlag(f, 'lambda'), kind: f['runtime-loss'] as string | undefined, targetMs: numberFlag(f, 'target-ms') }) };
    const opt = { ...((fileCfg.optimizer as object) ?? {}), ...defined({ lrPer256: numberFlag(f, 'lr') }) };
    const config = parseSearchConfig({
      ...fileCfg,
      ...defined({ epochs: numberFlag(f, 'epochs'), warmupEpochs: numberFlag(f, 'warmup-epochs'), batchSize: numberFlag(f, 'batch-size'), seed: numberFlag(f, 'seed'), thresholdLrMultiplier: numberFlag(f, 'threshold-lr-mult') }),
      runtimeLoss: rl,
      optimizer: opt,
    }, f.config ? `search config '${f.config}' with flags` : 'search options');
    const data = makeDataSpec({ uri: f.data as string | undefined, limit: numberFlag(f, 'limit'), valCount: numberFlag(f, 'val-count'), splitSeed: numberFlag(f, 'split-seed') });
    const table = resolveTable(space, f.table as string | undefined);

    const store = openStore(outUri);
    const run = { kind: 'search', space, config, data, table };
    await refuseChangedRun(store, run, 'search');
    await claimRunDir(store, run, 'search');

    const { tf } = loadTf();
    const progress = new ProgressReporter('search');
    const { signal, release } = abortOnSignals();
    try {
      const splits = await loadSplits(space, data, signal);
      progress.log(`search: ${space.name}, ${splits.train.size} train / ${splits.val.size} validation images from ${data.uri}`);
      const t0 = Date.now();
      const result = await runSearch({
        tf, space, config, table, signal,
        train: trainLoader(space, splits.train, config),
        checkpoints: new CheckpointStore(store, 'checkpoints', { keep: config.keepCheckpoints }),
        onProgress: (p) => progress.update({ done: p.step, total: p.totalSteps, detail: `loss ${Number(p.stats.loss).toFixed(3)} R ${Number(p.stats.runtimeMs).toFixed(2)}ms ${p.imagesPerSec.toFixed(0)} img/s ${p.architecture}` }),
      });
      const seconds = (Date.now() - t0) / 1000;
      const supernetVal = await evaluateTop1(tf, (x) => result.supernet.forward(x, { training: false }).logits, evalLoader(space, splits.val), [space.inputSize, space.inputSize, space.inputChannels]);
      result.supernet.dispose();
      const summary = {
        architecture: architectureToString(result.architecture),
        predictedMs: result.predictedMs,
        predictedMsExact: predictArchitectureLatencyExact(table, result.architecture),
        macs: architectureMacs(space, result.architecture).total,
        supernetTop1: supernetVal.top1,
        steps: result.steps,
        resumedFromStep: result.resumedFromStep,
        finalLoss: result.finalLoss,
        seconds,
        space: space.name,
        lambda: config.runtimeLoss.lambda,
        seed: config.seed,
        out: store.uri,
      };
      await writeJson(store, 'architecture.json', result.architecture);
      await writeJson(store, 'search.json', summary);
      if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else progress.log(`architecture ${summary.architecture}\npredicted ${summary.predictedMs.toFixed(3)} ms, supernet top-1 ${(100 * summary.supernetTop1).toFixed(2)}%\nwrote ${store.uri}/architecture.json`);
      return 0;
    } finally {
      release();
    }
  },
};
