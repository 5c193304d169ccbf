/**
 * Latency of the evidence benches. `--profile` profiles this machine's table (the profile use case
 * with a study's defaults, 15 repeats and 10 check networks) into results/table-profiled-<date>.json
 * and records it with its fingerprint and prediction error; `--use <file>|shipped` makes a table the
 * one every search uses (results/table.json, recorded with the reason). Then it measures the batch-1
 * latency of the largest network and of every network the records name that has no latency record
 * yet (the evaluate use case's measurement: 30 timed calls after 5 warm-up calls). Run it with
 * libtensorflow's default threads, as tables are profiled and as a study's evaluate step measures.
 * `--watch <s>` rescans the records every s seconds.
 *
 *   node --import tsx bench/evidence/latency.ts [--profile] [--use shipped --reason '...'] [--watch 600] [--archs a;b]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { buildChild } from '../../src/nas/child-builder';
import { measureModelLatency } from '../../src/nas/measure-latency';
import { architectureFromString } from '../../src/space/architecture';
import { profileLatency } from '../../src/usecases';
import { appendJsonl, argMap } from '../nas/common';
import { fingerprint } from './engine';
import { largestString, predictedMs, profiledTable, shippedTable, space, TABLE_FILE } from './latency-model';
import { RESULTS } from './problem';
import { FILES, latencies, readAll, type LatencyRecord, type TableRecord } from './records';

const a = argMap(process.argv.slice(2));

async function profile(): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `table-profiled-${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '')}.json`);
  const t0 = Date.now();
  const profiled = await profileLatency(
    { space: space().name, out: file, repeats: 15, samples: 10 },
    { onProgress: (p) => p.done % 20 === 0 && process.stderr.write(`${p.phase} ${p.done}/${p.total}\n`) },
  );
  const m = { value: profiled, wallSeconds: (Date.now() - t0) / 1000, loadavg: os.loadavg()[0]! };
  const rec: TableRecord = {
    type: 'table',
    file: path.basename(file),
    role: 'candidate',
    device: m.value.table.device,
    fingerprint: fingerprint(),
    report: m.value.report,
    seconds: m.value.seconds,
    loadavg: m.loadavg,
    date: new Date().toISOString(),
  };
  appendJsonl(FILES.latency, rec);
  process.stdout.write(`profiled ${file} in ${m.wallSeconds.toFixed(0)} s: ${rec.device}; ${JSON.stringify(m.value.report?.exact)}\n`);
}

/** Makes a table the one every search uses: results/table.json, recorded with where it came from and why. */
function use(which: string, reason: string): void {
  if (fs.existsSync(TABLE_FILE)) throw new Error(`${TABLE_FILE} exists: the searches already use it; remove it (and their records) to change tables`);
  const table = which === 'shipped' ? shippedTable() : JSON.parse(fs.readFileSync(path.resolve(RESULTS, which), 'utf8'));
  fs.writeFileSync(TABLE_FILE, `${JSON.stringify(table, null, 1)}\n`);
  const rec: TableRecord = {
    type: 'table',
    file: path.basename(TABLE_FILE),
    role: 'used',
    source: which === 'shipped' ? `the table shipped for ${space().name} (data/latency/${space().name}.json)` : which,
    reason,
    device: (table as { device: string }).device,
    meta: (table as { meta?: unknown }).meta,
    fingerprint: fingerprint(),
    seconds: 0,
    loadavg: os.loadavg()[0]!,
    date: new Date().toISOString(),
  };
  appendJsonl(FILES.latency, rec);
}

/** Every architecture the records name. */
function named(): string[] {
  const recs = readAll();
  const archs = new Set<string>([largestString()]);
  for (const r of recs) if (r.type === 'search' || r.type === 'train') archs.add(r.architecture);
  for (const s of (a.archs ?? '').split(';').filter(Boolean)) archs.add(s);
  return [...archs];
}

async function measureMissing(): Promise<number> {
  const { tf } = loadTf();
  const sp = space();
  const table = profiledTable();
  const have = latencies();
  let n = 0;
  for (const arch of named()) {
    if (have.has(arch)) continue;
    const model = buildChild(tf, sp, architectureFromString(sp, arch), { seed: 0 });
    try {
      const l = await measureModelLatency(tf, model, [sp.inputSize, sp.inputSize, sp.inputChannels], 30);
      const rec: LatencyRecord = {
        type: 'latency',
        architecture: arch,
        predictedMs: predictedMs(arch, table),
        measuredMs: l.latencyMs,
        medianMs: l.latencyMedianMs,
        repeats: l.latencyRepeats,
        threads: l.latencyThreads,
        loadavg: os.loadavg()[0]!,
        date: new Date().toISOString(),
      };
      appendJsonl(FILES.latency, rec);
      process.stdout.write(`latency ${arch}: ${rec.measuredMs.toFixed(2)} ms measured, ${rec.predictedMs.toFixed(2)} predicted\n`);
      n++;
    } finally {
      model.dispose();
    }
  }
  return n;
}

async function main(): Promise<void> {
  if (a.profile) await profile();
  if (a.use) use(a.use, a.reason ?? '');
  await measureMissing();
  const every = Number(a.watch ?? 0);
  while (every > 0) {
    await new Promise((r) => setTimeout(r, every * 1000));
    await measureMissing();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
