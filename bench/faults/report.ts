/**
 * `npm run bench -- faults-report [results.jsonl ...]`: the README's figures from the campaign's
 * results: faults injected and survived by kind, what they interrupted, and every run.
 * A fault counts as survived when its run passed every check (bench/faults/outcome.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from './run';
import { FAULT_KINDS } from './plan';

const files = process.argv.slice(2);
if (files.length === 0) files.push(path.join(__dirname, 'results', 'campaign.jsonl'));
const runs: RunRecord[] = files.flatMap((f) =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunRecord),
);

const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const injected = (r: RunRecord) => r.faults.filter((f) => f.atS !== undefined);
const passed = runs.filter((r) => r.passed);
const byMode = (m: string) => runs.filter((r) => r.mode === m);

const out: string[] = [];
out.push(
  `${runs.length} runs (${byMode('local').length} local executor, ${byMode('k8s').length} k8s-job executor), ${passed.length} passed every check; ` +
    `${runs.reduce((n, r) => n + injected(r).length, 0)} faults injected, ${passed.reduce((n, r) => n + injected(r).length, 0)} survived.`,
  '',
  '| fault | injected | survived | runs (local / k8s) | interrupted (activity in flight) | injection took, median s |',
  '|---|---|---|---|---|---|',
);
for (const kind of FAULT_KINDS) {
  const hits = runs.flatMap((r) =>
    injected(r)
      .filter((f) => f.kind === kind)
      .map((f) => ({ r, f })),
  );
  if (!hits.length) continue;
  const ok = hits.filter(({ r }) => r.passed).length;
  const modes = `${hits.filter(({ r }) => r.mode === 'local').length} / ${hits.filter(({ r }) => r.mode === 'k8s').length}`;
  const acts = new Map<string, number>();
  for (const { f } of hits) for (const a of new Set(f.during.map((d) => d.split('@')[0]!.split('#')[0]!))) acts.set(a, (acts.get(a) ?? 0) + 1);
  const idle = hits.filter(({ f }) => f.during.length === 0).length;
  const what = [...[...acts].sort((a, b) => b[1] - a[1]).map(([a, n]) => `${a} ${n}`), ...(idle ? [`none ${idle}`] : [])].join(', ');
  out.push(`| ${kind} | ${hits.length} | ${ok} | ${modes} | ${what} | ${median(hits.map(({ f }) => f.tookS ?? 0)).toFixed(1)} |`);
}
const skipped = runs.flatMap((r) => r.faults.filter((f) => f.atS === undefined));
if (skipped.length) out.push('', `Planned but not injected: ${skipped.length} (${[...new Set(skipped.map((f) => f.note))].join('; ')}).`);
const retries = runs.flatMap((r) => injected(r).flatMap((f) => f.during)).filter((d) => !d.endsWith('#1')).length;
out.push('', `Faults that hit an activity already on a retry (attempt > 1): ${retries}.`);
const exits = runs.flatMap((r) => r.events.map((e) => `seed ${r.seed} (${r.mode}) at ${e.at} s: ${e.what.slice(0, 200)}`));
out.push('', `Worker processes that exited without being stopped (restarted by the harness's supervisor): ${exits.length}`);
for (const e of exits) out.push(`- ${e}`);
out.push('', '| seed | mode | study s | faults (kind at s) | result |', '|---|---|---|---|---|');
for (const r of runs)
  out.push(
    `| ${r.seed} | ${r.mode} | ${r.studyS} | ${injected(r)
      .map((f) => `${f.kind}@${f.atS}`)
      .join(', ')} | ${r.passed ? 'passed' : `FAILED: ${r.problems.join('; ').slice(0, 300)}`} |`,
  );
const studyS = passed.map((r) => r.studyS);
out.push('', `Study wall time of the passed runs: median ${median(studyS).toFixed(0)} s (range ${Math.min(...studyS)}-${Math.max(...studyS)} s).`);
console.log(out.join('\n'));
