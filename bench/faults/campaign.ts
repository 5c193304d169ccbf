/**
 * `npm run bench -- faults`: a campaign of fault-injection runs (issue 25, "Faults injected on
 * purpose"). Each run is a small real study on its own servers and worker processes, with faults
 * injected at seeded random times (bench/faults/plan.ts), checked against a fault-free run of the same
 * spec (bench/faults/outcome.ts). One JSON line per run is appended to the results file; a campaign
 * started again skips the runs already there, so it resumes after an interruption.
 *
 *   npm run bench -- faults [--runs 10] [--faults 5] [--mode local|k8s|both] [--size bench|test]
 *                           [--seed 1] [--kinds kill-compute,restart-s3,...] [--out <jsonl>]
 *   npm run bench -- faults --seed 7 --runs 1 --keep      repeat one run (its logs kept)
 *   npm run bench -- faults-report                        the README table from the results
 *
 * The fault-free reference of a spec is run once and kept beside the results
 * (reference-<size>-<key>.json); --reference-runs 2 runs it twice and checks the two agree.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Collected } from './outcome';
import { differences } from './outcome';
import { FAULT_KINDS, kindsFor, type FaultKind } from './plan';
import { runOnce, type RunRecord } from './run';
import { ENGINE_ENV, faultStudy, specKey, SIZES, type Size } from './spec';
import type { Mode } from './stack';

const RESULTS = path.join(__dirname, 'results');

interface Reference {
  size: Size;
  /** The git tree ids of src/, workflows/ and activities/ the reference ran. */
  code?: string;
  specKey: string;
  studyS: number;
  collected: Collected;
}

function stamp(line: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function reference(size: Size, runs: number, keep: boolean): Promise<Reference> {
  const key = specKey(faultStudy(size), ENGINE_ENV);
  const file = path.join(RESULTS, `reference-${size}-${key}.json`);
  // A reference holds the records of the code that ran it: records gain fields as the code changes, so
  // one made by other sources (src/, workflows/, activities/ at another commit) is made again.
  const code = execFileSync('git', ['rev-parse', 'HEAD:src', 'HEAD:workflows', 'HEAD:activities'], { encoding: 'utf8' }).split('\n').join(' ').trim();
  if (fs.existsSync(file)) {
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as Reference & { code?: string };
    if (old.code === code) return old;
    stamp(`the fault-free reference was made by other sources: made again (the old one kept as ${path.basename(file)}.old)`);
    fs.renameSync(file, `${file}.old`);
  }
  const refs: Reference[] = [];
  for (let i = 0; i < runs; i++) {
    stamp(`reference run ${i + 1}/${runs} (${size}, no faults)`);
    const { record, collected } = await runOnce({
      mode: 'local',
      size,
      seed: 0,
      faults: 0,
      kinds: [],
      window: [0, 0],
      computeWorkers: 2,
      engineEnv: ENGINE_ENV,
      ...(keep ? { dir: path.join(RESULTS, '..', 'logs', `reference-${i}`) } : {}),
      log: stamp,
    });
    if (!record.passed || !collected) throw new Error(`the fault-free reference run failed:\n${record.problems.join('\n')}\nlogs: ${record.logs}`);
    if (refs[0]) {
      const d = [...differences(refs[0].collected.summary, collected.summary), ...differences(refs[0].collected.models, collected.models)];
      stamp(`reference runs agree except in: ${d.map((x) => x.split(':')[0]).join(', ') || '(nothing)'}`);
    }
    refs.push({ size, specKey: key, studyS: record.studyS, collected, code });
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(refs[0], null, 1) + '\n');
  return refs[0]!;
}

function done(out: string): Set<string> {
  if (!fs.existsSync(out)) return new Set();
  return new Set(
    fs
      .readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RunRecord)
      .map((r) => `${r.mode}/${r.size}/${r.seed}/${r.specKey}`),
  );
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      faults: { type: 'string', default: '5' },
      mode: { type: 'string', default: 'both' },
      size: { type: 'string', default: 'bench' },
      seed: { type: 'string', default: '1' },
      kinds: { type: 'string' },
      out: { type: 'string', default: path.join(RESULTS, 'campaign.jsonl') },
      'compute-workers': { type: 'string', default: '2' },
      'reference-runs': { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
    },
  });
  const size = a.size as Size;
  if (!(size in SIZES)) throw new Error(`--size ${a.size}: use ${Object.keys(SIZES).join(' or ')}`);
  if (!['local', 'k8s', 'both'].includes(a.mode!)) throw new Error(`--mode ${a.mode}: use local, k8s or both`);
  const only = a.kinds?.split(',') as FaultKind[] | undefined;
  for (const k of only ?? []) if (!FAULT_KINDS.includes(k)) throw new Error(`--kinds: unknown fault '${k}' (${FAULT_KINDS.join(', ')})`);
  const ref = await reference(size, Number(a['reference-runs']), a.keep!);
  const seen = done(a.out!);
  const runs = Number(a.runs);
  for (let i = 0; i < runs; i++) {
    const seed = Number(a.seed) + i;
    const mode: Mode = a.mode === 'both' ? (seed % 2 === 0 ? 'k8s' : 'local') : (a.mode as Mode);
    if (seen.has(`${mode}/${size}/${seed}/${ref.specKey}`)) {
      stamp(`run seed ${seed} (${mode}) already in ${a.out}: skipped`);
      continue;
    }
    const kinds = kindsFor(mode).filter((k) => !only || only.includes(k));
    const { record } = await runOnce({
      mode,
      size,
      seed,
      faults: Number(a.faults),
      kinds,
      // faults land while the study runs: from 10 s to 85% of the fault-free run's length
      window: [10, Math.max(20, Math.round(ref.studyS * 0.85))],
      computeWorkers: mode === 'k8s' ? 1 : Number(a['compute-workers']),
      engineEnv: ENGINE_ENV,
      reference: ref.collected,
      ...(a.keep ? { dir: path.join(RESULTS, '..', 'logs', `run-${mode}-${seed}`) } : {}),
      log: stamp,
    });
    fs.mkdirSync(path.dirname(a.out!), { recursive: true });
    fs.appendFileSync(a.out!, JSON.stringify(record) + '\n');
    stamp(
      `run seed ${seed} (${mode}): ${record.passed ? 'PASSED' : 'FAILED'} in ${record.studyS} s${record.passed ? '' : `\n    ${record.problems.join('\n    ')}\n    logs: ${record.logs}`}`,
    );
  }
}

// Ctrl-C or a kill: exit through process.exit, so the exit hooks stop every worker and server by PID.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
