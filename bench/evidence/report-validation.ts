/**
 * The tabular benchmark against real studies (bench/evidence/validation.ts): for every trial of the
 * validation studies, what the benchmark answers for its knobs (the nearest recorded configuration's
 * network, predicted latency and trial-budget score) against what the real trial produced; and per
 * study, the real study's outcome (trials, network selected at the target, its trial score, front
 * hypervolume) against the benchmark's replay of the same sampler and seed with the same number of
 * trials (noise-free world: the recorded means).
 *
 *   node --import tsx bench/evidence/report-validation.ts
 */
import { hypervolume2d, selectForLatencyTarget } from '../../src/hpo';
import { spearmanRho } from '../../src/stats/rank';
import { warmupEpochsFor } from '../../src/study/trial-plan';
import { readJsonl } from '../nas/common';
import { largestPredictedMs } from './latency-model';
import { MAX_BUDGET, studySpecAt, TARGET_FRACTION } from './problem';
import { FILES, readAll, searches, trains, type TrainRecord, type WarmupRecord } from './records';
import { TabularProblem, World } from './tabular';

const pct = (x: number) => (100 * x).toFixed(1);

function main(): void {
  const recs = readAll();
  const ss = searches(recs);
  const ts = trains(recs);
  const warmup = readJsonl<WarmupRecord>(FILES.trials).find((r) => r.type === 'warmup')!;
  const largestMs = largestPredictedMs();
  const targetMs = TARGET_FRACTION * largestMs;
  const p = new TabularProblem({ searches: ss, trains: ts, warmup }, 'a', [MAX_BUDGET], targetMs);
  const spec = studySpecAt('a');
  const studies = [...new Set(ss.filter((s) => s.study).map((s) => s.study!))].sort();
  if (!studies.length) return console.log('no validation study imported yet (bench/evidence/validation.ts)');
  const lines = [
    '| study | trials | same network as the table | latency error, ms (median abs) | score error, pp (median abs) | rank agreement (rho) | real: selected, trial score | table replay: selected, trial score | real / replay hypervolume |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const name of studies) {
    const real = ss
      .filter((s) => s.study === name)
      .map((s) => ({ s, t: ts.find((t): t is TrainRecord => t.study === name && (t as TrainRecord & { configId?: string }).configId === s.configId) }))
      .filter((x) => x.t)
      .sort((x, y) => Number(x.s.configId.split(':').pop()) - Number(y.s.configId.split(':').pop()));
    const answers = real.map(({ s }) => p.evaluate(s.knobs, warmupEpochsFor(spec, s.knobs), MAX_BUDGET, 0, new World(0)));
    const meanNoiseFree = (arch: string) => {
      const own = ts.filter((t) => !t.study && t.architecture === arch && t.budget === 'a' && t.fidelity === 1);
      return own.length ? own.reduce((x, t) => x + t.top1, 0) / own.length : NaN;
    };
    const same = real.filter((x, i) => x.s.architecture === answers[i]!.architecture).length;
    const med = (xs: number[]) => [...xs].sort((u, v) => u - v)[Math.floor(xs.length / 2)]!;
    const latErr = med(real.map((x, i) => Math.abs(x.s.predictedMs - answers[i]!.latencyMs)));
    const scoreErr = med(real.map((x, i) => Math.abs(x.t!.top1 - meanNoiseFree(answers[i]!.architecture))));
    const rho =
      real.length >= 3
        ? spearmanRho(
            real.map((x) => x.t!.top1),
            answers.map((e) => meanNoiseFree(e.architecture)),
          )
        : NaN;
    const pick = (pts: Array<{ score: number; latencyMs: number }>) => {
      const sel = selectForLatencyTarget(
        pts.map((q) => ({ accuracy: q.score, latencyMs: q.latencyMs })),
        targetMs,
      );
      return sel.met ? `${pct(sel.model.accuracy)}% at ${sel.model.latencyMs.toFixed(1)} ms` : 'none meets the target';
    };
    const hv = (pts: Array<{ score: number; latencyMs: number }>) =>
      hypervolume2d(
        pts.map((q) => [q.score, q.latencyMs]),
        [0, 1.5 * largestMs],
        ['maximize', 'minimize'],
      );
    const realPts = real.map((x) => ({ score: x.t!.top1, latencyMs: x.s.predictedMs }));
    const replayPts = answers.map((e) => ({ score: meanNoiseFree(e.architecture), latencyMs: e.latencyMs }));
    lines.push(
      `| ${name} | ${real.length} | ${same}/${real.length} | ${latErr.toFixed(2)} | ${pct(scoreErr)} | ${Number.isNaN(rho) ? '-' : rho.toFixed(2)} | ${pick(realPts)} | ${pick(replayPts)} | ${hv(realPts).toFixed(2)} / ${hv(replayPts).toFixed(2)} |`,
    );
  }
  console.log(lines.join('\n'));
  console.log(
    "\nThe replay answers each real trial's knobs (the same proposals, so the comparison isolates the table from the sampler); a replay whose sampler follows its own answers diverges from the real study after the first differing answer.",
  );
}

main();
