import type { CliCommand } from '../command';
import { InvalidInputError } from '../../errors';
import { exportModel } from '../../usecases/export-model';
import { exportWebPage } from '../../usecases/export-web-page';
import { serveWebPage } from '../../browser/serve-web';
import { numberFlag, parseFlags, requireFlag } from '../args';
import { abortOnSignals } from '../signals';

const usage = `usage: spnas export --model <dir|s3://...> (--out <dir|s3://...> | --web <dir|s3://...>) [options]

Copies an exported model (model.json, weight shards, architecture.json, manifest) to another store,
e.g. from local disk to S3: the source is verified (hashes, shapes) and rebuilt from its architecture,
never deserialised, and the copy is published atomically (manifest last).

With --web, writes a self-contained web page instead (no CDN: TF.js is bundled in): it loads the model
with TF.js in the browser (WebGPU, WebGL or WASM), shows its measured latency, and classifies images
dropped on it. Browsers do not load a model from a page opened from disk: serve the directory
(--serve, or any static file server). docs/browser.md.

options:
  --labels <file|a,b,...>  class names for --web: a file with one per line, or comma-separated
  --serve                  after --web, serve the page on 127.0.0.1 until Ctrl-C
  --port <n>               port for --serve (default 8080; 0 for any free port)
  --json                   print one JSON object on stdout
`;

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'verify an exported TF.js model and publish it elsewhere (local, s3://) or as a web page',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('export', argv, {
      model: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      web: { type: 'string' },
      labels: { type: 'string' },
      serve: { type: 'boolean' },
      port: { type: 'string' },
    });
    const web = f.web as string | undefined;
    if (!web) {
      if (f.labels !== undefined || f.serve || f.port !== undefined) throw new InvalidInputError('--labels, --serve and --port apply to --web only');
      const out = await exportModel({ model: requireFlag(f, 'model', 'export'), out: requireFlag(f, 'out', 'export') });
      process.stdout.write(f.json ? JSON.stringify(out) + '\n' : `exported ${out.from} -> ${out.to} (${out.files.length} files)\n`);
      return 0;
    }
    if (f.out !== undefined) throw new InvalidInputError('give --out (copy the model) or --web (write a page), not both');
    if (f.serve && web.startsWith('s3://')) throw new InvalidInputError('--serve needs a local --web directory, not an s3:// prefix');
    const r = await exportWebPage({ model: requireFlag(f, 'model', 'export'), web, ...(f.labels !== undefined ? { labels: f.labels as string } : {}) });
    process.stdout.write(
      f.json
        ? JSON.stringify({ from: r.from, web: r.uri, files: r.files, architecture: r.architecture, labels: r.labels }) + '\n'
        : `wrote the web page for ${r.from} to ${r.uri} (${r.files.length} files)\n`,
    );
    if (f.serve) {
      const { signal, release } = abortOnSignals();
      try {
        await serveWebPage(web, {
          port: numberFlag(f, 'port') ?? 8080,
          signal,
          onListening: (url) => process.stderr.write(`serving ${web} at ${url} (Ctrl-C to stop)\n`),
        });
      } finally {
        release();
      }
    }
    return 0;
  },
};
