/**
 * Re-runs the bench's trial-budget retraining of recorded networks in a scratch work directory and
 * prints each score beside the record's, without touching the records: does a record reproduce on
 * this machine? (README "The tabular benchmark against real studies": the validation studies' re-scores
 * that differed from the records.)
 *
 *   SPNAS_EVIDENCE_WORK=$(mktemp -d) TF_NUM_INTRAOP_THREADS=1 node --import tsx bench/evidence/rescore.ts \
 *     --arch k3e3,skip,k5e3,skip,k3e6,skip,k3e3,skip,k5e6,skip --fidelity 0.3333
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { argMap } from '../nas/common';
import { retrain } from './engine';
import { readAll, trains } from './records';

async function main(): Promise<void> {
  const a = argMap(process.argv.slice(2));
  if (!a.arch) throw new Error('--arch <network> is required (a recorded network string); --fidelity defaults to 1');
  if (!process.env.SPNAS_EVIDENCE_WORK)
    throw new Error('set SPNAS_EVIDENCE_WORK to a scratch directory: a run directory of the lanes would be reused, not re-run');
  const fidelity = Number(a.fidelity ?? 1);
  const recorded = trains(readAll()).filter(
    (t) => !t.study && Number.isFinite(t.cpuSeconds) && t.budget === 'a' && t.seed === 0 && t.architecture === a.arch && Math.abs(t.fidelity - fidelity) < 1e-3,
  );
  const t = await retrain({
    architecture: a.arch,
    budget: 'a',
    fidelity: recorded[0]?.fidelity ?? fidelity,
    seed: 0,
    file: path.join(os.tmpdir(), 'spnas-rescore.jsonl'),
  });
  process.stdout.write(
    `${a.arch} fidelity ${fidelity.toFixed(4)}: now ${t ? (100 * t.top1).toFixed(2) : '-'}%, recorded ${recorded.map((r) => `${(100 * r.top1).toFixed(2)}% (${r.date})`).join(', ') || '-'}\n`,
  );
}

void main();
