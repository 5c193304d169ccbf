import type { CliCommand } from '../command';
import { exportModel } from '../../usecases/export-model';
import { parseFlags, requireFlag } from '../args';

const usage = `usage: spnas export --model <dir|s3://...> --out <dir|s3://...> [--json]

Copies an exported model (model.json, weight shards, architecture.json, manifest) to another store,
e.g. from local disk to S3: the source is verified (hashes, shapes) and rebuilt from its architecture,
never deserialised, and the copy is published atomically (manifest last).
`;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'verify an exported TF.js model and publish it to another location (local or s3://)',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('export', argv, { model: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
    const out = await exportModel({ model: requireFlag(f, 'model', 'export'), out: requireFlag(f, 'out', 'export') });
    process.stdout.write(f.json ? JSON.stringify(out) + '\n' : `exported ${out.from} -> ${out.to} (${out.files.length} files)\n`);
    return 0;
  },
};
