/**
 * A latency table profiled here must predict whole-network latency as `spnas eval` measures it, and a
 * garbage table must not. Robust on a loaded 2-core machine: the table's blocks and the whole networks
 * are timed in the same interleaved rounds (load hits both alike), and the bound is on what survives
 * heavy load. At load average 24-32 (12-16 runnable jobs per core) a single network's mean over 25
 * calls still moves by +-20-40% between runs, in either direction, so one network's error says little;
 * the ratio of the summed predictions to the summed measurements over 12 networks is stable (within
 * +-10% in every run while writing this test) and is what a miscalibrated table gets wrong (x2, x0.5,
 * units). The per-network median error has a loose bound that only gross nonsense fails.
 *
 * What it cannot catch on this space: a table whose candidates are permuted. cifar-tiny's candidates
 * cost about the same (per-op dispatch dominates), so even a table with one constant per cell
 * predicts as well as the real one; only skip vs MBConv, SE, and the fixed part carry information.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { architectureFromString, type Architecture } from '../../src/space/architecture';
import { measureSpace, summariseMeasurement } from '../../src/profiler/profiler';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import type { LatencyTable } from '../../src/latency/latency-table';
import { mulberry32 } from '../../src/random';
import { summariseLatency } from '../../src/nas/measure-latency';
import { timingBackend } from '../../src/nas/timing-backend';

const { tf } = loadTf();
const space = getPreset('cifar-tiny');
// From the cheapest network the space allows (skips wherever allowed) to the dearest (k5e6+SE everywhere);
// the test adds 4 random ones.
const ARCHS = [
  'k3e3,skip,k3e3,skip,k3e3',
  'k5e6,skip,k5e6+se,skip,k3e6',
  'k3e3+se,skip,k5e6+se,skip,k5e3+se',
  'k3e3,k3e3,k3e3,k3e3,k3e3',
  'k5e6,k3e3+se,k5e3,k3e6,k5e3',
  'k5e3+se,skip,k3e6+se,k5e6,k3e3',
  'k3e6+se,k5e3,k3e3,skip,k5e6+se',
  'k5e6+se,k5e6+se,k5e6+se,k5e6+se,k5e6+se',
].map((s) => architectureFromString(space, s));

/** Bounds: |sum(predicted) / sum(measured) - 1| and the median of |predicted / measured - 1|. */
const MAX_AGGREGATE_ERROR = 0.25;
const MAX_MEDIAN_ERROR = 0.45;

interface Fit {
  aggregateError: number;
  medianAbsError: number;
}

function fit(table: LatencyTable, archs: Architecture[], measured: number[]): Fit {
  const predicted = archs.map((a) => predictArchitectureLatencyExact(table, a));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const errs = predicted.map((p, i) => Math.abs(p / measured[i]! - 1)).sort((a, b) => a - b);
  const n = errs.length;
  return { aggregateError: sum(predicted) / sum(measured) - 1, medianAbsError: n % 2 ? errs[n >> 1]! : (errs[n / 2 - 1]! + errs[n / 2]!) / 2 };
}

const meets = (f: Fit) => Math.abs(f.aggregateError) <= MAX_AGGREGATE_ERROR && f.medianAbsError <= MAX_MEDIAN_ERROR;
const describe = (f: Fit) => `summed error ${(100 * f.aggregateError).toFixed(1)}%, median |error| ${(100 * f.medianAbsError).toFixed(1)}%`;

/** Every latency in the table (fixed part, candidates, SE costs) mapped by `g(value, index)`. */
function mapTable(t: LatencyTable, g: (v: number, i: number) => number): LatencyTable {
  let i = 0;
  const m = (v: number) => g(v, i++);
  return {
    ...t,
    fixedMs: m(t.fixedMs),
    layers: t.layers.map((l) => ({
      k3e3: m(l.k3e3),
      k3e6: m(l.k3e6),
      k5e3: m(l.k5e3),
      k5e6: m(l.k5e6),
      ...(l.se ? { se: { e3: m(l.se.e3), e6: m(l.se.e6) } } : {}),
    })),
  };
}

test('a freshly profiled cifar-tiny table predicts eval-measured latency; garbage tables fail the same bound', async () => {
  const m = await measureSpace(tf, space, { repeats: 25, warmup: 3, samples: 4, seed: 1, architectures: ARCHS });
  const archs = m.archs.map((a) => a.arch);
  const { table } = summariseMeasurement(m);
  const on = timingBackend(tf);
  assert.ok(on.native, 'timed on the native backend');
  // What eval reports for each network, from samples taken in the same rounds as the table's blocks.
  const latencies = m.archs.map((a) => summariseLatency(m.samples[a.model]!, on));
  assert.ok(latencies.every((l) => l.latencyStatistic === latencies[0]!.latencyStatistic));
  assert.match(table.meta!.source!, new RegExp(`statistic ${latencies[0]!.latencyStatistic}$`), "eval's statistic is the table's");
  const measured = latencies.map((l) => l.latencyMs);
  assert.ok(measured[ARCHS.length - 1]! > 1.3 * measured[0]!, `the networks span a range: ${measured.map((x) => x.toFixed(2)).join(', ')} ms`);

  const real = fit(table, archs, measured);
  assert.ok(meets(real), `the profiled table must predict within the bound: ${describe(real)}`);

  const rnd = mulberry32(1);
  const garbage: Record<string, LatencyTable> = {
    'twice as slow (another machine, or load)': mapTable(table, (v) => 2 * v),
    'twice as fast': mapTable(table, (v) => v / 2),
    'microseconds read as milliseconds': mapTable(table, (v) => 1000 * v),
    'random entries (log-uniform 0.1x-10x)': mapTable(table, (v) => v * 10 ** (2 * rnd() - 1)),
  };
  // The random table is garbage by construction, not by luck: far from the real table before any noise.
  const realPredictions = archs.map((a) => predictArchitectureLatencyExact(table, a));
  const distortion = fit(garbage['random entries (log-uniform 0.1x-10x)']!, archs, realPredictions);
  assert.ok(Math.abs(distortion.aggregateError) >= 0.5, `the random table is far from the real one: ${describe(distortion)}`);
  for (const [name, t] of Object.entries(garbage)) {
    const g = fit(t, archs, measured);
    assert.ok(!meets(g), `a garbage table (${name}) must fail the bound, got ${describe(g)} (real table: ${describe(real)})`);
  }
});
