import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';
import { evaluateTop1 } from '../../nas/evaluate';
import { measureModelLatency } from '../../nas/measure-latency';
import { loadModel } from '../../nas/model-export';
import { parseSearchSpace } from '../../space/spec';
import { architectureToString } from '../../space/architecture';
import { openStore } from '../../storage/open-store';
import { dataSpecSchema, evalLoader, loadSplits, makeDataSpec } from '../engine-io';
import { numberFlag, parseFlags, requireFlag } from '../args';

const usage = `usage: spnas eval --model <dir|s3://...> [options]

Evaluates an exported model: top-1 accuracy on the held-out split it was trained with (or on --data)
and its measured latency on this backend (batch 1, median of --repeats after warm-up).

options:
  --data <uri>         evaluate on this data instead (with --val-count/--split-seed/--limit)
  --limit <n> --val-count <n> --split-seed <n>
  --repeats <n>        latency repeats (default 30)
  --json               print {"top1", "latencyMs", ...} as one JSON object on stdout
`;

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'top-1 accuracy and measured latency of an exported model',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('eval', argv, {
      model: { type: 'string' }, data: { type: 'string' }, limit: { type: 'string' }, 'val-count': { type: 'string' }, 'split-seed': { type: 'string' },
      repeats: { type: 'string' }, json: { type: 'boolean' },
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
    const latencyMs = await measureModelLatency(tf, model, inputShape, numberFlag(f, 'repeats') ?? 30);
    model.dispose();
    const out = { top1: res.top1, correct: res.correct, count: res.count, latencyMs, architecture: architectureToString(meta.architecture), space: space.name, data: data.uri };
    if (f.json) process.stdout.write(JSON.stringify(out) + '\n');
    else process.stdout.write(`top-1 ${(100 * res.top1).toFixed(2)}% (${res.correct}/${res.count}), latency ${latencyMs.toFixed(2)} ms, ${out.architecture}\n`);
    return 0;
  },
};
