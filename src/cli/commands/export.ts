import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';
import { exportModel, loadModel } from '../../nas/model-export';
import { parseSearchSpace } from '../../space/spec';
import { openStore } from '../../storage/open-store';
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
    const { tf } = loadTf();
    const src = openStore(requireFlag(f, 'model', 'export'));
    const dst = openStore(requireFlag(f, 'out', 'export'));
    const { model, meta } = await loadModel(tf, src, '', (v) => parseSearchSpace(v, `${src.uri} space`));
    const manifest = await exportModel(tf, model, dst, '', meta);
    model.dispose();
    const out = { from: src.uri, to: dst.uri, files: manifest.files.map((x) => x.path) };
    process.stdout.write(f.json ? JSON.stringify(out) + '\n' : `exported ${src.uri} -> ${dst.uri} (${out.files.length} files)\n`);
    return 0;
  },
};
