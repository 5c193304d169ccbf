import type { CliCommand } from '../command';
import { makeDataSpec } from '../../config/data-spec';
import { evaluateModel } from '../../usecases/evaluate-model';
import { numberFlag, parseFlags, requireFlag } from '../args';

const usage = `usage: spnas eval --model <dir|s3://...> [options]

Evaluates an exported model: top-1 accuracy on the held-out split it was trained with (or on --data,
or on every image of --test) and its measured latency on this backend: batch 1, --repeats calls after
warm-up, each right after a call of the space's largest network (the device's reference); latencyMs
is the median pair ratio (latencyRatio, with its 95% interval) times the reference's mean latency on
this device (latencyReferenceMs: measured once per device and space and cached beside its latency
tables, SPNAS_TABLE_CACHE), so two runs agree where absolute timings move between processes. The
model's own mean in this process is latencyRawMeanMs. Backend and intra-op threads are reported; a
latency measured on the pure-JS fallback is flagged (latencyNative: false).

options:
  --data <uri>         evaluate on this data's held-out split instead (with --val-count/--split-seed/--limit)
  --test <uri>         evaluate on every image of a separate test set (with --limit)
  --limit <n> --val-count <n> --split-seed <n>
  --repeats <n>        timed pairs (default 300; 0 skips the latency)
  --table <file.json>  latency table for predictedMs (default: the one shipped for the space, if any)
  --json               print {"top1", "latencyMs", "predictedMs", ...} as one JSON object on stdout
`;

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'top-1 accuracy and measured latency of an exported model',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('eval', argv, {
      model: { type: 'string' },
      data: { type: 'string' },
      test: { type: 'string' },
      limit: { type: 'string' },
      'val-count': { type: 'string' },
      'split-seed': { type: 'string' },
      repeats: { type: 'string' },
      table: { type: 'string' },
      json: { type: 'boolean' },
    });
    const model = requireFlag(f, 'model', 'eval');
    const limit = numberFlag(f, 'limit');
    const data = f.data
      ? makeDataSpec({ uri: f.data as string, limit, valCount: numberFlag(f, 'val-count'), splitSeed: numberFlag(f, 'split-seed') })
      : undefined;
    const test = f.test ? { uri: f.test as string, ...(limit !== undefined ? { limit } : {}) } : undefined;
    const repeats = numberFlag(f, 'repeats');
    const r = await evaluateModel(
      {
        model,
        ...(data ? { data } : {}),
        ...(test ? { test } : {}),
        ...(repeats !== undefined ? { latencyRepeats: repeats } : {}),
        ...(f.table ? { table: { uri: f.table as string } } : {}),
      },
      { log: (line) => process.stderr.write(`spnas eval: ${line}\n`) },
    );
    if (f.json) process.stdout.write(JSON.stringify(r) + '\n');
    else
      process.stdout.write(
        `top-1 ${(100 * r.top1).toFixed(2)}% (${r.correct}/${r.count}, ${r.split}), latency ${r.latencyMs === undefined ? '-' : `${r.latencyMs.toFixed(2)} ms [${r.latencyLowMs!.toFixed(2)}, ${r.latencyHighMs!.toFixed(2)}] (${r.latencyRatio !== undefined ? `${r.latencyRatio.toFixed(3)} x the largest network's ${r.latencyReferenceMs!.toFixed(2)} ms, ${r.latencyRepeats} paired calls; ` : ''}${r.latencyBackend}, ${r.latencyThreads} threads)`}${r.predictedMs === undefined ? '' : `, table predicts ${r.predictedMs.toFixed(2)} ms`}, ${r.architecture}\n`,
      );
    return 0;
  },
};
