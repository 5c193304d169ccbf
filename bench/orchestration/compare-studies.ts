/**
 * Two runs of one study spec, side by side: do they make the same decisions? From the two study
 * roots (each with its summary.json): the latency table and target, per trial the knobs, network,
 * held-out top-1, measured latency (and how far apart the two measurements are, against issue 24's
 * +-3%), whether the retrained weights are byte-identical, and the same for the final models.
 *
 *   npm run bench -- compare-studies <study root A> <study root B>
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StudySummary } from '../../src/study/records';

const [rootA, rootB] = process.argv.slice(2);
if (!rootA || !rootB) {
  console.error('usage: npm run bench -- compare-studies <study root A> <study root B>');
  process.exit(2);
}
const read = (root: string) => JSON.parse(fs.readFileSync(path.join(root, 'summary.json'), 'utf8')) as StudySummary;
const [a, b] = [read(rootA), read(rootB)];

/** A model URI recorded by a study, relocated under its root when the run directory was moved after it finished. */
function weights(root: string, uri: string | undefined, recordedRoot: string): string | undefined {
  if (!uri?.startsWith('file://')) return undefined;
  const rel = path.relative(recordedRoot, fileURLToPath(uri));
  const file = path.join(root, rel, 'group1-shard1of1.bin');
  return fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : undefined;
}
/** The study root as its summary recorded it (the parent of configs/ in a trial's model URI). */
const recordedRoot = (s: StudySummary) => {
  const uri = s.trialRecords.find((t) => t.result)?.result?.model;
  return uri ? fileURLToPath(uri).replace(/\/configs\/.*$/, '') : '';
};
const [recA, recB] = [recordedRoot(a), recordedRoot(b)];
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const dev = (x: number | undefined, y: number | undefined) => (x !== undefined && y !== undefined ? (y / x - 1) * 100 : undefined);
const same = (x: unknown, y: unknown) => (JSON.stringify(x) === JSON.stringify(y) ? 'same' : 'differ');

const out: string[] = [];
out.push(
  `table: largest network ${a.table.largestMs.toFixed(2)} / ${b.table.largestMs.toFixed(2)} ms predicted, target ${a.table.targetMs.toFixed(2)} / ${b.table.targetMs.toFixed(2)} ms; ` +
    `device table ${a.deviceTable?.source ?? '-'} / ${b.deviceTable?.source ?? '-'}; wall time ${(((a.endedAt ?? a.now) - a.startedAt) / 60000).toFixed(1)} / ${(((b.endedAt ?? b.now) - b.startedAt) / 60000).toFixed(1)} min`,
);
out.push('');
out.push('| trial | knobs | network | held-out top-1 A / B | measured ms A / B | apart | retrained weights |');
out.push('|---|---|---|---|---|---|---|');
const devs: number[] = [];
/** One network (or two) in both runs: the latency deviation, counted only for the same network (another network's latency is another quantity), and whether the weights match. */
function pair(archA: string, archB: string, msA: number | undefined, msB: number | undefined, modelA: string, modelB: string) {
  const d = archA === archB ? dev(msA, msB) : undefined;
  if (d !== undefined) devs.push(d);
  const [wa, wb] = [weights(rootA!, modelA, recA), weights(rootB!, modelB, recB)];
  return { d, weights: wa && wb ? (wa === wb ? 'identical' : 'differ') : 'not found' };
}
for (const ta of a.trialRecords) {
  const tb = b.trialRecords.find((t) => t.trialId === ta.trialId);
  const [ra, rb] = [ta.result, tb?.result];
  if (!ra || !rb) {
    out.push(`| ${ta.trialId} | - | ${ta.state} / ${tb?.state ?? 'absent'} | - | - | - | - |`);
    continue;
  }
  const { d, weights: w } = pair(ra.architecture, rb.architecture, ra.measuredMs, rb.measuredMs, ra.model, rb.model);
  out.push(
    `| ${ta.trialId} | ${same(ta.params, tb!.params)} | ${ra.architecture === rb.architecture ? 'same' : `\`${ra.architecture}\` / \`${rb.architecture}\``} | ` +
      `${pct(ra.top1)} / ${pct(rb.top1)} | ${ra.measuredMs?.toFixed(2) ?? '-'} / ${rb.measuredMs?.toFixed(2) ?? '-'} | ${d === undefined ? '-' : `${d >= 0 ? '+' : ''}${d.toFixed(1)}%`} | ` +
      `${w} |`,
  );
}
out.push('');
for (const fa of a.final) {
  const fb = b.final.find((f) => f.trialId === fa.trialId);
  if (!fb) {
    out.push(`final model of trial ${fa.trialId}: only in A`);
    continue;
  }
  const { d, weights: w } = pair(fa.architecture, fb.architecture, fa.latencyMs, fb.latencyMs, fa.model, fb.model);
  out.push(
    `final model (trial ${fa.trialId}): ${fa.architecture === fb.architecture ? 'same network' : 'different networks'}, test top-1 ${pct(fa.testTop1 ?? fa.top1)} / ${pct(fb.testTop1 ?? fb.top1)}, ` +
      `${fa.latencyMs?.toFixed(2) ?? '-'} / ${fb.latencyMs?.toFixed(2) ?? '-'} ms measured (${d === undefined ? '-' : `${d.toFixed(1)}%`} apart), weights ${w}`,
  );
}
const within3 = devs.filter((d) => Math.abs(d) <= 3).length;
out.push(
  devs.length
    ? `measured latency of the same network, run B against run A: ${within3} of ${devs.length} measurements within +-3%, largest ${Math.max(...devs.map(Math.abs)).toFixed(1)}% apart`
    : 'no network measured in both runs',
);
console.log(out.join('\n'));
