/**
 * `npm run bench -- faults-report [results.jsonl ...]`: the README's section from the campaign's
 * results (written to bench/faults/README-section.md and printed): faults injected and survived by
 * kind, what they interrupted, the retries they cost, what broke, and every run. A fault counts as
 * survived when its run passed every check (bench/faults/outcome.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from './run';
import { FAULT_KINDS } from './plan';
import { SIZES } from './spec';

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
const sizes = [...new Set(runs.map((r) => r.size))]
  .map((k) => {
    const z = SIZES[k];
    return `size ${k}: ${z.limit} images, ${z.trials} trials ${z.parallelism} at a time, a final retraining`;
  })
  .join('; ');
out.push(
  '## Faults injected on purpose',
  '',
  '`npm run bench -- faults` runs small real studies (the real engine on CIFAR-10 images read from S3, ' +
    `${sizes}; bench/faults/spec.ts), each on its own Temporal dev server, ` +
    'gofakes3 and `spnas worker` processes, with the local executor or with every heavy activity a Kubernetes Job on the ' +
    'kwok control plane (a test runtime plays the container: test/support/pod-runtime.ts). Faults land at seeded random ' +
    'times (bench/faults/plan.ts): SIGKILL or rolling restart of a compute or orchestration worker, eviction or deletion ' +
    'of a running activity pod, a Temporal dev-server restart on its SQLite file, an S3 server restart on its data. A run ' +
    'passes when the study completed, every trial is recorded exactly once (summary, store, one TrialWorkflow each), no ' +
    "Job or pod is left running, and the records equal a fault-free run's of the same spec float for float and the " +
    "exported models byte for byte (bench/faults/outcome.ts). `test/faults/faults.test.ts` is the suite's short version.",
  '',
  `${runs.length} runs (${byMode('local').length} local executor, ${byMode('k8s').length} k8s-job executor), ${passed.length} passed every check; ` +
    `${runs.reduce((n, r) => n + injected(r).length, 0)} faults injected, ${passed.reduce((n, r) => n + injected(r).length, 0)} survived.`,
  '',
  '| fault | injected | survived | runs (local / k8s) | interrupted (activity in flight) | injection took, median s (until the replacement polls) |',
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
const cost = new Map<string, number>();
for (const r of runs) for (const [t, n] of Object.entries(r.retries ?? {})) cost.set(t, (cost.get(t) ?? 0) + n);
out.push('', `Activity retries the faults cost (from the histories): ${[...cost].map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}.`);
// why a run failed, as found by reading its logs and records (results/diagnoses.json, keyed mode/seed)
const diagnosesFile = path.join(__dirname, 'results', 'diagnoses.json');
const diagnoses = (fs.existsSync(diagnosesFile) ? JSON.parse(fs.readFileSync(diagnosesFile, 'utf8')) : {}) as Record<string, string>;
const failed = runs.filter((r) => !r.passed);
out.push('', `What broke: ${failed.length ? '' : 'nothing.'}`);
for (const r of failed)
  out.push(`- seed ${r.seed} (${r.mode}): ${r.problems.join('; ').slice(0, 600)}. ${diagnoses[`${r.mode}/${r.seed}`] ?? '(not diagnosed yet)'}`);
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
const text = out.join('\n') + '\n';
fs.writeFileSync(path.join(__dirname, 'README-section.md'), text);
process.stdout.write(text);
