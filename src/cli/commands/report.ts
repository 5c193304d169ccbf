import type { CliCommand } from '../command';
import { InvalidInputError } from '../../errors';
import { studyLayout } from '../../study/names';
import { reportStudy } from '../../usecases/report-study';
import { parseFlags } from '../args';

const usage = `usage: spnas report <study root> [--out report.html] [--json] [--overlay <results.jsonl>]
       spnas report --storage <storage> <study name> [...]

Writes one self-contained HTML file about a study, finished or still running, that works offline (no
network request at all; Chart.js is inlined): the front (held-out top-1 against latency, every trial a
point coloured by lambda, hover for its hyperparameters and architecture), a sortable table of the
trials, each front member's architecture layer by layer with its latencies from the study's table,
the search curves (CE, runtime term, each layer's decision over the steps), HPO convergence (best
so far, hypervolume) and compute per phase with what the shared warm-up saved. docs/report.md.

The study root is <storage>/studies/<name> (a path, file:// or s3:// URI), as \`spnas study run\` prints.

options:
  --out <file>          where to write the report (default report.html; a path or s3:// URI)
  --json                print the report's data (the view model) on stdout; writes HTML only with --out
  --overlay <jsonl>     overlay the results of bench/nas/searched-vs-random.ts on the front
  --storage <storage>   read the study <study name> of this storage root
`;

export const reportCommand: CliCommand = {
  name: 'report',
  summary: "write a study's report: one offline HTML file with the front, trials, architectures, search curves and cost",
  usage,
  async run(argv) {
    const { values: f, positionals } = parseFlags(
      'report',
      argv,
      { out: { type: 'string' }, json: { type: 'boolean' }, overlay: { type: 'string' }, storage: { type: 'string' } },
      1,
    );
    const arg = positionals[0];
    if (!arg) throw new InvalidInputError("report: give the study's root (<storage>/studies/<name>) or --storage <storage> <name>; see 'spnas report --help'");
    const study = typeof f.storage === 'string' ? studyLayout.root(f.storage, arg) : arg;
    const out = typeof f.out === 'string' ? f.out : f.json ? undefined : 'report.html';
    const r = await reportStudy({ study, ...(out !== undefined ? { out } : {}), ...(typeof f.overlay === 'string' ? { overlay: f.overlay } : {}) });
    if (f.json) process.stdout.write(JSON.stringify(r.view) + '\n');
    if (r.uri) {
      const v = r.view;
      process.stderr.write(
        `wrote ${r.uri} (${((r.bytes ?? 0) / 1024).toFixed(0)} KiB): study ${v.study.name} [${v.study.state}], ${v.points.length} finished trials, ${v.front.length} on the front` +
          `${v.warnings.length ? `; ${v.warnings.length} warning(s) shown in the report` : ''}\n`,
      );
    }
    return 0;
  },
};
