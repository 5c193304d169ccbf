import type { CliCommand } from '../command';
import { deriveArchitecture } from '../../usecases/derive-architecture';
import { parseFlags, requireFlag } from '../args';

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
    const r = await deriveArchitecture({ run: requireFlag(f, 'run', 'derive'), ...(f.out ? { key: f.out as string } : {}) });
    const out = { architecture: r.architectureString, predictedMs: r.predictedMs, step: r.step, checkpoint: r.checkpoint, wrote: r.wrote };
    process.stdout.write(
      f.json ? JSON.stringify(out) + '\n' : `${out.architecture}\npredicted ${out.predictedMs.toFixed(3)} ms at step ${out.step}; wrote ${out.wrote}\n`,
    );
    return 0;
  },
};
