/**
 * The tabular benchmark against real studies (bench/evidence/validation.ts), two ways:
 *
 * - per trial: what the benchmark answers for the real trial's knobs at its level (the nearest
 *   recorded configuration's network, predicted latency and mean trial-budget score) against what
 *   the real trial produced (same network, latency error, score error, rank agreement);
 * - per study: the real study's outcome (the network selected at the target among its full-fidelity
 *   trials, its trial score, the front's hypervolume) against the distribution of the same sampler
 *   with the same number of trials on the benchmark over --worlds replicates (each its own sampler
 *   seed and frozen seed noise, as in study-pays.ts): where the real outcome falls in it.
 *
 * The validation studies' trials are not table rows (their compute is not measured per thread), so
 * the table answers them out of sample.
 *
 *   node --import tsx bench/evidence/report-validation.ts [--worlds 20]
 */
import { hypervolume2d, selectForLatencyTarget } from '../../src/hpo';
import { spearmanRho } from '../../src/stats/rank';
import { warmupEpochsFor } from '../../src/study/trial-plan';
import { argMap, readJsonl } from '../nas/common';
import { largestPredictedMs } from './latency-model';
import { BUDGET_LEVELS, MAX_BUDGET, studySpecAt, TARGET_FRACTION } from './problem';
import { FILES, readAll, searches, trains, type TrainRecord, type WarmupRecord } from './records';
import { runMethod, type MethodName } from './study-pays';
import { TabularProblem, World } from './tabular';

const pct = (x: number) => (100 * x).toFixed(1);
const med = (xs: number[]) => [...xs].sort((u, v) => u - v)[Math.floor(xs.length / 2)]!;

/** Where `x` falls among `xs`: the share below it plus half the ties (a mid-rank percentile). */
function percentile(x: number, xs: number[]): number {
  if (!xs.length) return NaN;
  return (xs.filter((v) => v < x).length + 0.5 * xs.filter((v) => v === x).length) / xs.length;
}

function main(): void {
  const args = argMap(process.argv.slice(2));
  const worlds = Number(args.worlds ?? 20);
  const recs = readAll();
  const ss = searches(recs);
  const ts = trains(recs);
  const warmup = readJsonl<WarmupRecord>(FILES.trials).find((r) => r.type === 'warmup')!;
  const largestMs = largestPredictedMs();
  const targetMs = TARGET_FRACTION * largestMs;
  const p = new TabularProblem({ searches: ss, trains: ts, warmup }, 'a', BUDGET_LEVELS, targetMs);
  const spec = studySpecAt('a');
  const studies = [...new Set(ss.filter((s) => s.study).map((s) => s.study!))].sort();
  if (!studies.length) return console.log('no validation study imported yet (bench/evidence/validation.ts)');
  /** The table's runs of a network at a fidelity level, budget a (validation trials are not table rows). */
  const tableRuns = (arch: string, level: number) =>
    ts.filter(
      (t) => !t.study && Number.isFinite(t.cpuSeconds) && t.architecture === arch && t.budget === 'a' && Math.abs(t.fidelity - level / MAX_BUDGET) < 1e-6,
    );
  /** The recorded mean trial-budget score of a network at a fidelity level. */
  const meanNoiseFree = (arch: string, level: number) => {
    const own = tableRuns(arch, level);
    return own.length ? own.reduce((x, t) => x + t.top1, 0) / own.length : NaN;
  };
  const perTrial = [
    '| study | trials (levels 1/3/9) | same network as the table | latency error, ms (median abs) | score error, pp (median abs) | rank agreement (Spearman rho) |',
    '|---|---|---|---|---|---|',
  ];
  const perStudy = [
    `| study | real: selected at the target, trial score | real front hypervolume | table, ${worlds} worlds: trial score of the selection, median [min, max] | its percentile of the real | table hypervolume, median [min, max] | its percentile of the real |`,
    '|---|---|---|---|---|---|---|',
  ];
  const allScoreErr: number[] = [];
  /** Real trials whose network has a seed-0 table record at their level, and how many scored exactly that. */
  /** Per study: the real outcome's percentile among the replays and whether it lies in their range. */
  const places: Array<{ p: number; inside: boolean }> = [];
  let recorded = 0;
  let identical = 0;
  let allSame = 0;
  let allN = 0;
  for (const name of studies) {
    const m = /^evidence-(\w+)-s(\d+)$/.exec(name);
    const real = ss
      .filter((s) => s.study === name)
      .map((s) => ({ s, t: ts.find((t): t is TrainRecord => t.study === name && (t as TrainRecord & { configId?: string }).configId === s.configId) }))
      .filter((x): x is { s: (typeof x)['s']; t: TrainRecord } => x.t !== undefined)
      .sort((x, y) => Number(x.s.configId.split(':').pop()) - Number(y.s.configId.split(':').pop()));
    const answers = real.map(({ s }) => p.evaluate(s.knobs, warmupEpochsFor(spec, s.knobs), s.level, 0, new World(0)));
    const tableMean = answers.map((e, i) => meanNoiseFree(e.architecture, real[i]!.s.level));
    const same = real.filter((x, i) => x.s.architecture === answers[i]!.architecture).length;
    for (const x of real) {
      const own = tableRuns(x.s.architecture, x.s.level).find((t) => t.seed === 0);
      if (!own) continue;
      recorded++;
      if (own.top1 === x.t.top1) identical++;
    }
    const scoreErrs = real.map((x, i) => Math.abs(x.t.top1 - tableMean[i]!)).filter(Number.isFinite);
    allScoreErr.push(...scoreErrs);
    allSame += same;
    allN += real.length;
    const rho =
      real.length >= 3
        ? spearmanRho(
            real.map((x) => x.t.top1),
            tableMean,
          )
        : NaN;
    const levels = BUDGET_LEVELS.map((l) => real.filter((x) => x.s.level === l).length).join('/');
    perTrial.push(
      `| ${name} | ${real.length} (${levels}) | ${same}/${real.length} | ${med(real.map((x, i) => Math.abs(x.s.predictedMs - answers[i]!.latencyMs))).toFixed(2)} | ${scoreErrs.length ? pct(med(scoreErrs)) : '-'} | ${Number.isNaN(rho) ? '-' : rho.toFixed(2)} |`,
    );
    // the real study's outcome, as StudyBook decides it: full-fidelity trials when there are any
    const full = real.filter((x) => x.s.level === MAX_BUDGET);
    const contenders = (full.length ? full : real).map((x) => ({ accuracy: x.t.top1, latencyMs: x.s.predictedMs }));
    const sel = selectForLatencyTarget(contenders, targetMs);
    const realHv = hypervolume2d(
      contenders.map((q) => [q.accuracy, q.latencyMs]),
      [0, 1.5 * largestMs],
      ['maximize', 'minimize'],
    );
    if (!m) continue;
    const method = m[1] as MethodName;
    const replays = Array.from({ length: worlds }, (_, w) => runMethod(p, method, w, { trials: real.length }, largestMs));
    const scores = replays.filter((o) => o.met).map((o) => o.trialTop1!);
    const hvs = replays.map((o) => o.hypervolume);
    if (sel.met && scores.length)
      places.push({
        p: percentile(sel.model.accuracy, scores),
        inside: sel.model.accuracy >= Math.min(...scores) && sel.model.accuracy <= Math.max(...scores),
      });
    places.push({ p: percentile(realHv, hvs), inside: realHv >= Math.min(...hvs) && realHv <= Math.max(...hvs) });
    const span = (xs: number[], f: (x: number) => string) => (xs.length ? `${f(med(xs))} [${f(Math.min(...xs))}, ${f(Math.max(...xs))}]` : '-');
    perStudy.push(
      `| ${name} | ${sel.met ? `${pct(sel.model.accuracy)}% at ${sel.model.latencyMs.toFixed(1)} ms` : 'none meets the target'} | ${realHv.toFixed(2)} | ${span(scores, pct)} (${scores.length}/${worlds} meet it) | ${sel.met ? percentile(sel.model.accuracy, scores).toFixed(2) : '-'} | ${span(hvs, (x) => x.toFixed(2))} | ${percentile(realHv, hvs).toFixed(2)} |`,
    );
  }
  console.log(perTrial.join('\n'));
  console.log(
    `\nall validation trials: ${allSame}/${allN} derived the network the table answers; median absolute score error ${allScoreErr.length ? pct(med(allScoreErr)) : '-'} pp (the table's seed noise sd ${pct(p.noiseSd)} pp); ${recorded} real trials derived a network the table holds at their level (seed 0), and ${identical} of them scored exactly the recorded top-1 (the study's retraining is the bench's, bit for bit)\n`,
  );
  console.log(perStudy.join('\n'));
  const meanP = places.reduce((x, q) => x + q.p, 0) / places.length;
  console.log(
    `\n${places.filter((q) => q.inside).length} of ${places.length} real outcomes (selection scores and hypervolumes) lie inside the replays' range; mean percentile ${meanP.toFixed(2)} (0.50 for a table whose replays are distributed as real studies)`,
  );
  console.log(
    "\nA percentile is where the real outcome falls among the benchmark's replays of its sampler (0.5: the median world); a table that models the problem puts real studies inside the replays' range.",
  );
}

main();
