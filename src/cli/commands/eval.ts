import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';
import { evaluateTop1 } from '../../nas/evaluate';
import { latencyWarning, measureModelLatency } from '../../nas/measure-latency';
import { predictArchitectureLatencyExact } from '../../runtime/model/runtime-model';
import { loadModel } from '../../nas/model-export';
import { parseSearchSpace } from '../../space/spec';
import { architectureToString } from '../../space/architecture';
import { openStore } from '../../storage/open-store';
import { dataSpecSchema, evalLoader, loadSplits, makeDataSpec, resolveTable } from '../engine-io';
import { numberFlag, parseFlags, requireFlag } from '../args';

const usage = `usage: spnas eval --model <dir|s3://...> [options]

Evaluates an exported model: top-1 accuracy on the held-out split it was trained with (or on --data)
and its measured latency on this backend: batch 1, --repeats calls after warm-up, reported as the
mean (latencyMs: the statistic latency tables are profiled with, so it compares with predictedMs) and
the median (latencyMedianMs), with the backend and intra-op threads it was measured on. A latency
measured on the pure-JS fallback is flagged (latencyNative: false) and warned about.

options:
  --data <uri>         evaluate on this data instead (with --val-count/--split-seed/--limit)
  --limit <n> --val-count <n> --split-seed <n>
  --repeats <n>        latency repeats (default 30)
  --table <file.json>  latency table for predictedMs (default: the one shipped for the space, if any)
  --json               print {"top1", "latencyMs", "predictedMs", ...} as one JSON object on stdout
`;

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'top-1 accuracy and measured latency of an exported model',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('eval', argv, {
      model: { type: 'string' }, data: { type: 'string' }, limit: { type: 'string' }, 'val-count': { type: 'string' }, 'split-seed': { type: 'string' },
      repeats: { type: 'string' }, table: { type: 'string' }, json: { type: 'boolean' },
    });
    const { tf } = loadTf();
    const store = openStore(requireFlag(f, 'model', 'eval'));
    const { model, meta } = await loadModel(tf, store, '', (v) => parseSearchSpace(v, `${store.uri} space`));
    const stored = dataSpecSchema.safeParse(meta.data);
    const data = makeDataSpec({ uri: f.data as string | undefined, limit: numberFlag(f, 'limit'), valCount: numberFlag(f, 'val-count'), splitSeed: numberFlag(f, 'split-seed') }, stored.success ? stored.data : undefined);
    const space = meta.space;
    const splits = await loadSplits(space, data);
    const inputShape: [number, number, number] = [space.inputSize, space.inputSize, space.inputChannels];
    const res = await evaluateTop1(tf, (x) => model.predict(x) as ReturnType<typeof tf.zeros>, evalLoader(space, splits.val), inputShape);
    const latency = await measureModelLatency(tf, model, inputShape, numberFlag(f, 'repeats') ?? 30);
    model.dispose();
    const warning = latencyWarning(latency);
    if (warning) process.stderr.write(`spnas eval: ${warning}\n`);
    // The table's prediction beside the measurement; a space with no shipped table (or a spec reusing a preset's name) has none.
    const table = f.table ? resolveTable(space, f.table as string) : (() => { try { return resolveTable(space); } catch { return undefined; } })();
    const predicted = table ? { predictedMs: predictArchitectureLatencyExact(table, meta.architecture), predictedBy: table.device } : {};
    const out = { top1: res.top1, correct: res.correct, count: res.count, ...latency, ...predicted, architecture: architectureToString(meta.architecture), space: space.name, data: data.uri };
    if (f.json) process.stdout.write(JSON.stringify(out) + '\n');
    else process.stdout.write(`top-1 ${(100 * res.top1).toFixed(2)}% (${res.correct}/${res.count}), latency ${latency.latencyMs.toFixed(2)} ms (mean; median ${latency.latencyMedianMs.toFixed(2)}, ${latency.latencyBackend}, ${latency.latencyThreads} threads)${table ? `, table predicts ${out.predictedMs!.toFixed(2)} ms` : ''}, ${out.architecture}\n`);
    return 0;
  },
};
