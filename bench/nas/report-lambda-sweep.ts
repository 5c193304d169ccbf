/**
 * Table of a bench/nas/lambda-sweep.ts run: per lambda, the derived network, its predicted latency and
 * its measured batch-1 latency (median and mean of the interleaved rounds), and whether both decrease
 * strictly with lambda.
 *
 *   node --import tsx bench/nas/report-lambda-sweep.ts [bench/nas/results/lambda-sweep.jsonl] [--tag default]
 */
import { readJsonl, reportArgs } from './common';
import type { SweepMeasure } from './lambda-sweep';

const { file, a } = reportArgs(process.argv.slice(2), 'bench/nas/results/lambda-sweep.jsonl');
const measures = readJsonl<SweepMeasure>(file).filter((r) => r.type === 'measure' && (!a.tag || r.tag === a.tag));
if (!measures.length) throw new Error(`no measured sweep in ${file}${a.tag ? ` with tag '${a.tag}'` : ''}: run bench/nas/lambda-sweep.ts first`);

const decreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x < xs[i - 1]!);
const lines: string[] = [];
for (const m of measures) {
  lines.push(
    `tag ${m.tag}: ${m.rounds} interleaved rounds, load average ${m.loadavg.map((l) => l.toFixed(1)).join(' -> ')}`,
    '',
    '| lambda | architecture | predicted ms | measured ms (median) | measured ms (mean) |',
    '|---|---|---|---|---|',
    ...m.lambdas.map(
      (l, i) => `| ${l} | \`${m.architectures[i]}\` | ${m.predictedMs[i]!.toFixed(2)} | ${m.medianMs[i]!.toFixed(2)} | ${m.meanMs[i]!.toFixed(2)} |`,
    ),
    '',
    `predicted latency strictly decreasing in lambda: ${decreasing(m.predictedMs) ? 'yes' : 'no'}; ` +
      `measured (median): ${decreasing(m.medianMs) ? 'yes' : 'no'}; ` +
      `rounds in which all ${m.lambdas.length} measured latencies decrease strictly: ${m.decreasingRounds} of ${m.rounds}`,
    '',
  );
}
console.log(lines.join('\n'));
