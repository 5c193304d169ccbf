/**
 * The searched-vs-random bench's results (bench/nas/searched-vs-random.ts, JSONL of SearchRecord and
 * TrainRecord) as an overlay on the report's front: per latency target, the searched network and the
 * random ones of the same predicted latency, each at its mean held-out top-1 over the seeds with the
 * spread (min..max). Parsed strictly: a malformed line is an error naming the file and the line.
 */
import { z } from 'zod';
import { formatIssues } from '../config/zod-issues';
import { InvalidInputError } from '../errors';

const searchRecordSchema = z.object({
  type: z.literal('search'),
  frac: z.number().positive(),
  targetMs: z.number().positive(),
  architecture: z.string().min(1),
  predictedMs: z.number().positive(),
  supernetTop1: z.number().min(0).max(1),
  seconds: z.number().nonnegative(),
});
const trainRecordSchema = z.object({
  type: z.literal('train'),
  frac: z.number().positive(),
  kind: z.enum(['searched', 'random']),
  architecture: z.string().min(1),
  predictedMs: z.number().positive(),
  seed: z.number().int(),
  top1: z.number().min(0).max(1),
  wallSeconds: z.number().nonnegative(),
  cpuSeconds: z.number().nonnegative(),
  loadavg: z.number().nonnegative(),
});
export const overlayRecordSchema = z.discriminatedUnion('type', [searchRecordSchema, trainRecordSchema]);
export type OverlayRecord = z.output<typeof overlayRecordSchema>;

export interface OverlayArchitecture {
  kind: 'searched' | 'random';
  architecture: string;
  predictedMs: number;
  /** Held-out top-1 over the seeds it was retrained with. */
  meanTop1: number;
  minTop1: number;
  maxTop1: number;
  seeds: number;
}

export interface OverlayTarget {
  frac: number;
  targetMs?: number;
  searched?: OverlayArchitecture;
  randoms: OverlayArchitecture[];
  /** How many random architectures the searched one beats (on the mean over seeds). */
  searchedBeats?: number;
}

export interface OverlayView {
  source: string;
  targets: OverlayTarget[];
  /** Shown with the overlay: these networks were trained with the bench's budget, not the study's. */
  caveat: string;
}

/** Parses the bench's JSONL; `source` names the file in errors. */
export function parseOverlayRecords(text: string, source: string): OverlayRecord[] {
  const out: OverlayRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new InvalidInputError(`${source} line ${i + 1} is not JSON (${(err as Error).message}): is it the output of bench/nas/searched-vs-random.ts?`);
    }
    const r = overlayRecordSchema.safeParse(value);
    if (!r.success) {
      throw new InvalidInputError(
        `${source} line ${i + 1} is not a searched-vs-random record (bench/nas/searched-vs-random.ts):\n${formatIssues(r.error.issues)}`,
      );
    }
    out.push(r.data);
  });
  if (!out.some((r) => r.type === 'train')) {
    throw new InvalidInputError(`${source} has no retraining results (no "type":"train" line): nothing to overlay yet`);
  }
  return out;
}

function aggregate(kind: 'searched' | 'random', architecture: string, recs: Array<Extract<OverlayRecord, { type: 'train' }>>): OverlayArchitecture {
  const top1 = recs.map((r) => r.top1);
  return {
    kind,
    architecture,
    predictedMs: recs[0]!.predictedMs,
    meanTop1: top1.reduce((a, b) => a + b, 0) / top1.length,
    minTop1: Math.min(...top1),
    maxTop1: Math.max(...top1),
    seeds: new Set(recs.map((r) => r.seed)).size,
  };
}

export function overlayView(records: OverlayRecord[], source: string): OverlayView {
  const fracs = [...new Set(records.map((r) => r.frac))].sort((a, b) => a - b);
  const targets = fracs.map((frac): OverlayTarget => {
    const search = records.find((r): r is Extract<OverlayRecord, { type: 'search' }> => r.type === 'search' && r.frac === frac);
    const trains = records.filter((r): r is Extract<OverlayRecord, { type: 'train' }> => r.type === 'train' && r.frac === frac);
    const byArch = new Map<string, typeof trains>();
    for (const t of trains) byArch.set(`${t.kind} ${t.architecture}`, [...(byArch.get(`${t.kind} ${t.architecture}`) ?? []), t]);
    const archs = [...byArch.values()].map((rs) => aggregate(rs[0]!.kind, rs[0]!.architecture, rs));
    const searched = archs.find((a) => a.kind === 'searched');
    const randoms = archs.filter((a) => a.kind === 'random');
    return {
      frac,
      ...(search ? { targetMs: search.targetMs } : {}),
      ...(searched ? { searched, searchedBeats: randoms.filter((r) => searched.meanTop1 > r.meanTop1).length } : {}),
      randoms,
    };
  });
  const seeds = new Set(records.flatMap((r) => (r.type === 'train' ? [r.seed] : []))).size;
  return {
    source,
    targets,
    caveat:
      `searched-vs-random bench: every network retrained from scratch with the bench's own short budget ` +
      `(${seeds} seed${seeds === 1 ? '' : 's'}), scored on its held-out split, at its predicted latency: ` +
      `compare these points with each other, not with the study's trials`,
  };
}
