import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';
import { InvalidInputError } from '../../errors';
import { deriveArchitecture } from '../../nas/derive';
import { predictedRuntime } from '../../nas/search';
import { Supernet } from '../../nas/supernet';
import { restoreVariables } from '../../nas/variable-checkpoint';
import { architectureToString } from '../../space/architecture';
import { parseSearchSpace } from '../../space/spec';
import { parseLatencyTable } from '../../runtime/model/latency-table';
import { openStore } from '../../storage/open-store';
import { CheckpointStore } from '../../storage/checkpoint-store';
import { parseFlags, requireFlag } from '../args';
import { readJson, writeJson } from '../engine-io';

const usage = `usage: spnas derive --run <search-out> [--out <architecture.json path in the run>] [--json]

Derives the discrete architecture from the newest checkpoint of a search (finished or not): indicators
from the learned thresholds and weight norms, rounded at 0.5. Writes <run>/architecture.json (or the
key given by --out) and prints it.
`;

export const deriveCommand: CliCommand = {
  name: 'derive',
  summary: 'derive the architecture from a search checkpoint',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('derive', argv, { run: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
    const store = openStore(requireFlag(f, 'run', 'derive'));
    const run = (await readJson(store, 'run.json')) as { kind?: string; space?: unknown; config?: { seed: number; indicatorNorm?: 'relative' | 'l2' }; table?: unknown } | undefined;
    if (!run || run.kind !== 'search') throw new InvalidInputError(`--run ${store.uri}: no search run.json there; give the --out of 'spnas search'`);
    const space = parseSearchSpace(run.space, `${store.uri}/run.json space`);
    const ckpt = await new CheckpointStore(store, 'checkpoints').latest();
    if (!ckpt) throw new InvalidInputError(`--run ${store.uri}: no complete checkpoint yet; wait for the search's first checkpoint`);
    const { tf } = loadTf();
    const net = new Supernet(tf, space, run.config?.seed ?? 0, run.config?.indicatorNorm ?? 'relative');
    try {
      const named = net.params.all().map(([n, v]) => [`net/${n}`, v] as [string, typeof v]);
      restoreVariables(tf, named, ckpt.tensors, ckpt.uri);
      const architecture = deriveArchitecture(tf, net);
      const predictedMs = predictedRuntime(tf, net, parseLatencyTable(run.table, `${store.uri}/run.json table`));
      const key = (f.out as string | undefined) ?? 'architecture.json';
      await writeJson(store, key, architecture);
      const out = { architecture: architectureToString(architecture), predictedMs, step: ckpt.step, checkpoint: ckpt.uri, wrote: `${store.uri}/${key}` };
      process.stdout.write(f.json ? JSON.stringify(out) + '\n' : `${out.architecture}\npredicted ${predictedMs.toFixed(3)} ms at step ${ckpt.step}; wrote ${out.wrote}\n`);
      return 0;
    } finally {
      net.dispose();
    }
  },
};
