/**
 * The README's quick-start figures from a finished study's summary.json: one row per trial (the
 * hyperparameters the sampler proposed, the architecture, held-out top-1, measured latency (with its
 * own 95% interval) and predicted latency, where its search started, seconds per phase), the front, the final model, compute seconds
 * per phase and what the shared warm-up saved.
 *
 * Each top-1 is shown with its image count and 95% Wilson interval; a summary written before counts
 * were recorded gets them from `--images <trials>,<final>` (the held-out sizes its spec gave), else
 * says the count is unknown.
 *
 *   npm run bench -- study-table [runs/studies/quickstart/summary.json] [--images 500,5000]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { top1Interval } from '../../src/study/accuracy';
import type { StudySummary } from '../../src/study/records';

const args = process.argv.slice(2);
const at = args.indexOf('--images');
const [trialImages, finalImages] = at >= 0 ? args.splice(at, 2)[1]!.split(',').map(Number) : [];
const file = args[0] ?? path.join(__dirname, '..', '..', 'runs', 'studies', 'quickstart', 'summary.json');
const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StudySummary;
const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
/** top-1 [low-high] on n images: the record's count, else the one given for summaries from before counts. */
const acc = (top1: number | undefined, images: number | undefined, assumed: number | undefined) => {
  if (top1 === undefined) return '-';
  const n = images ?? assumed;
  const iv = top1Interval(top1, n);
  return iv ? `${pct(top1)} [${(100 * iv[0]).toFixed(1)}-${(100 * iv[1]).toFixed(1)}] on ${n}` : `${pct(top1)} (n unknown)`;
};
const num = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : typeof x === 'string' ? x : '-');
/** A measured latency with its own 95% interval (recorded since 7 Dec 23:30; older summaries have none). */
const msIn = (x: number | undefined, iv: [number, number] | undefined) => (x !== undefined && iv ? `${num(x)} [${num(iv[0])}-${num(iv[1])}]` : num(x));
const front = new Set(s.front.map((m) => m.trialId));

const out: string[] = [];
out.push(
  `study \`${s.study}\`: ${s.state}, ${s.trialRecords.length} trials, wall time ${(((s.endedAt ?? s.now) - s.startedAt) / 60000).toFixed(1)} min; largest network ${s.table.largestMs.toFixed(2)} ms predicted, target ${s.table.targetMs.toFixed(2)} ms`,
);
out.push('');
out.push(
  '| trial | lambda | target | thr. lr x | warm-up | loss | architecture | held-out top-1 [95%] on n | measured ms [95%] | predicted ms | search from step | search / retrain / eval s |',
);
out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of s.trialRecords) {
  const p = r.params;
  const res = r.result;
  out.push(
    `| ${r.trialId}${front.has(r.trialId) ? ' (front)' : ''} | ${num(p.lambda, 1)} | ${num(p.targetFraction)} | ${num(p.thresholdLrMultiplier)} | ${num(p.warmupFraction)} | ${num(p.runtimeLoss)} | ${res ? `\`${res.architecture}\`` : (r.failure?.type ?? r.state)} | ${acc(res?.top1, res?.images, trialImages)} | ${msIn(res?.measuredMs, res?.measuredIntervalMs)} | ${num(res?.predictedMs)} | ${res?.searchStartStep ?? '-'} | ${res ? `${res.seconds.search.toFixed(0)} / ${res.seconds.retrain.toFixed(0)} / ${res.seconds.evaluate.toFixed(0)}` : '-'} |`,
  );
}
out.push('');
for (const m of s.final) {
  out.push(
    `final model (trial ${m.trialId}, \`${m.architecture}\`): held-out top-1 **${acc(m.top1, m.images, finalImages)}**, ${msIn(m.latencyMs, m.latencyIntervalMs)} ms measured (${num(m.predictedMs)} predicted), ${m.seconds.toFixed(0)} s`,
  );
}
const c = s.compute;
const searchTotal = c.warmup + c.search;
out.push('');
out.push(
  `compute seconds: warm-up ${c.warmup.toFixed(0)}, search ${c.search.toFixed(0)}, retrain ${c.retrain.toFixed(0)}, evaluate ${c.evaluate.toFixed(0)}, final ${c.final.toFixed(0)}; ` +
    `the shared warm-up saved ${c.savedByWarmup.toFixed(0)} s of search, ${((100 * c.savedByWarmup) / (searchTotal + c.savedByWarmup)).toFixed(0)}% of the search compute the trials would have spent without it`,
);
console.log(out.join('\n'));
