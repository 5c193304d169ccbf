/**
 * The trial records as a table (issue 22, point 4's table): per knob configuration, its knobs, the
 * network its full-fidelity search derived (and how the lower levels' networks differ), predicted and
 * measured batch-1 latency, the supernet's top-1 at the search's end, the scores at the trial budgets
 * (seed 0, selection split, with the Wilson 95% interval; multi-fidelity levels of budget a), and the
 * compute of each phase. Also draws the trial-budget scores against latency.
 *
 *   node --import tsx bench/evidence/report-trials.ts [--budget a]
 */
import * as path from 'node:path';
import { argMap } from '../nas/common';
import { PALETTE, renderFigure, writeFigure } from '../nas/svg-chart';
import { largestPredictedMs } from './latency-model';
import { MAX_BUDGET, RESULTS, TARGET_FRACTION, type TrialBudget } from './problem';
import { findTrain, latencies, readAll, searches, trains, type TrainRecord } from './records';

const a = argMap(process.argv.slice(2));
const recs = readAll();
const ss = searches(recs);
const ts = trains(recs);
const lat = latencies(recs);
const pct = (x: number) => (100 * x).toFixed(1);
const score = (t: TrainRecord | undefined) => (t ? `${pct(t.top1)} [${pct(t.low)}, ${pct(t.high)}]` : '-');
const configs = [...new Set(ss.filter((s) => !s.study).map((s) => s.configId))];

const lines = [
  '| config | lambda | target | thr. lr x | warm-up | loss | network (full fidelity) | levels 1 / 3 differ | predicted ms | measured ms | supernet top-1 | a, f 1/9 | a, f 1/3 | a: 2 ep on 2,500 | b: 2 ep on 10,000 | CPU s: search / a / b |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const id of configs) {
  const st = (l: number) => ss.find((s) => s.configId === id && s.level === l);
  const full = st(MAX_BUDGET);
  if (!full) continue;
  const k = full.knobs;
  const t = (budget: TrialBudget, level: number) => {
    const s = st(level);
    return s ? findTrain(ts, { architecture: s.architecture, budget, fidelity: level / MAX_BUDGET, seed: 0 }) : undefined;
  };
  const m = lat.get(full.architecture);
  const searchCpu = [1, 3, 9].map(st).reduce((x, s) => x + (s?.stepCpuSeconds ?? 0), 0) + (full.cpuSeconds - full.stepCpuSeconds);
  lines.push(
    `| ${id} | ${Number(k.lambda).toFixed(1)} | ${Number(k.targetFraction).toFixed(2)} | ${Number(k.thresholdLrMultiplier).toFixed(2)} | ${full.warmupEpochs} | ${k.runtimeLoss} | \`${full.architecture}\` | ${[1, 3].map((l) => (st(l) ? (st(l)!.architecture === full.architecture ? 'same' : `${st(l)!.predictedMs.toFixed(1)} ms`) : '-')).join(' / ')} | ${full.predictedMs.toFixed(2)} | ${m ? `${m.measuredMs.toFixed(1)} (load ${m.loadavg.toFixed(0)})` : '-'} | ${full.supernetTop1 !== undefined ? pct(full.supernetTop1) : '-'} | ${score(t('a', 1))} | ${score(t('a', 3))} | ${score(t('a', 9))} | ${score(t('b', 9))} | ${searchCpu.toFixed(0)} / ${t('a', 9)?.cpuSeconds.toFixed(0) ?? '-'} / ${t('b', 9)?.cpuSeconds.toFixed(0) ?? '-'} |`,
  );
}
console.log(lines.join('\n'));
const distinct = new Set(ss.filter((s) => s.level === MAX_BUDGET && !s.study).map((s) => s.architecture));
console.log(
  `\n${configs.length} configurations, ${distinct.size} distinct networks at full fidelity; target ${(TARGET_FRACTION * largestPredictedMs()).toFixed(2)} ms predicted`,
);

const budget = (a.budget ?? 'a') as TrialBudget;
const losses = ['log', 'mnas', 'hinge'];
const pts = (loss: string) =>
  configs.flatMap((id) => {
    const s = ss.find((r) => r.configId === id && r.level === MAX_BUDGET && r.knobs.runtimeLoss === loss);
    const t = s && findTrain(ts, { architecture: s.architecture, budget, fidelity: 1, seed: 0 });
    return s && t ? [{ x: s.predictedMs, y: 100 * t.top1, e: [100 * t.low, 100 * t.high] as [number, number] }] : [];
  });
const series = losses.map((loss, i) => ({
  label: loss,
  color: PALETTE[i]!,
  kind: 'points' as const,
  points: pts(loss).map((p) => [p.x, p.y] as [number, number]),
  errors: pts(loss).map((p) => p.e),
}));
if (series.some((s) => s.points.length))
  console.log(
    `wrote ${writeFigure(
      path.join(RESULTS, `trials-${budget}`),
      renderFigure(
        [
          {
            title: `trial records at budget ${budget} (seed 0, selection split, Wilson 95%)`,
            xLabel: 'predicted latency (ms)',
            yLabel: 'top-1 (%)',
            series,
            vlines: [{ x: TARGET_FRACTION * largestPredictedMs(), color: '#d62728', label: 'target' }],
          },
        ],
        1,
        560,
        340,
      ),
    ).join(', ')}`,
  );
