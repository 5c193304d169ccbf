/**
 * Use case behind `spnas report`: loads what the report needs from a study's root in the store (its
 * summary, latency table and the trials' search traces), optionally the searched-vs-random bench's
 * results, and writes one self-contained HTML file (src/report). Every input is read and checked
 * before anything is written. URIs in a summary that are relative resolve against the study root,
 * so a study copied elsewhere (or checked in as a fixture) still reports.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { z } from 'zod';
import { pageSources } from '../browser/bundle';
import { DataError, InvalidInputError } from '../errors';
import { parseLatencyTable, type LatencyTable } from '../latency/latency-table';
import { renderReportHtml } from '../report/html';
import { overlayView, parseOverlayRecords, type OverlayView } from '../report/overlay';
import { parseTrace, type TraceInput } from '../report/search-curves';
import { buildReportView, type ReportView } from '../report/view-model';
import { openStore } from '../storage/open-store';
import { splitParent } from '../storage/uri';
import type { ObjectStore } from '../storage/object-store';
import type { UseCaseContext } from './context';
import { readJsonUriIfExists } from '../storage/json-store';
import { loadStudySummary } from './study-summary-store';

export interface ReportStudyInput {
  /** The study's root: a path, file:// or s3:// URI (`<storage>/studies/<name>`). */
  study: string;
  /** Where to write the HTML (a path or URI); nothing is written without it. */
  out?: string;
  /** JSONL of bench/nas/searched-vs-random.ts to overlay on the front. */
  overlay?: string;
}

export interface ReportStudyOutput {
  view: ReportView;
  /** The URI of the written report, when `out` was given. */
  uri?: string;
  bytes?: number;
}

/** What the report checks of a summary before drawing it: enough to tell a study from any JSON. */
const summaryShape = z.looseObject({
  study: z.string(),
  state: z.string(),
  trialRecords: z.array(z.looseObject({ trialId: z.number(), state: z.string(), params: z.record(z.string(), z.unknown()) })),
  front: z.array(z.looseObject({ trialId: z.number(), top1: z.number(), latencyMs: z.number(), architecture: z.string() })),
  table: z.looseObject({ uri: z.string(), targetMs: z.number(), largestMs: z.number() }),
  compute: z.looseObject({}),
  hypervolume: z.array(z.looseObject({ finished: z.number(), hv: z.number() })),
});

const isUri = (s: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(s) || s.startsWith('/');

/** A URI from the summary: absolute as is, relative against the study root. */
export function resolveStudyUri(studyRoot: string, uri: string): string {
  return isUri(uri) ? uri : `${studyRoot.replace(/\/+$/, '')}/${uri.replace(/^\.\//, '')}`;
}

/** One object by URI: the store of its parent, the key of its last part. */
async function readObjectJson(uri: string): Promise<unknown> {
  const v = await readJsonUriIfExists(uri);
  if (v === undefined) throw new DataError(`${uri} does not exist`);
  return v;
}

async function checkStudyRoot(study: string): Promise<ObjectStore> {
  const store = openStore(study);
  if (store.uri.startsWith('file://') && !fs.existsSync(new URL(store.uri))) {
    throw new InvalidInputError(`study root ${study} does not exist: give a study's root (<storage>/studies/<name>) or --storage <storage> <name>`);
  }
  const [summary, spec] = await Promise.all([store.head('summary.json'), store.head('spec.json')]);
  if (!summary && !spec) {
    throw new InvalidInputError(
      `${study} is not a study root: it has neither summary.json nor spec.json (a study's root is <storage>/studies/<name>, as \`spnas study run\` prints)`,
    );
  }
  return store;
}

function readOverlay(file: string): OverlayView {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidInputError(
      `--overlay ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give the JSONL written by bench/nas/searched-vs-random.ts`,
    );
  }
  return overlayView(parseOverlayRecords(text, file), file);
}

/** Everything the report draws, read and checked; writes nothing. */
export async function loadReportView(input: { study: string; overlay?: string }): Promise<ReportView> {
  const overlay = input.overlay !== undefined ? readOverlay(input.overlay) : undefined;
  const store = await checkStudyRoot(input.study);
  const raw = await loadStudySummary(input.study);
  const shape = summaryShape.safeParse(raw);
  if (!shape.success) {
    throw new InvalidInputError(
      `${store.uri}/summary.json is not a study summary: ${shape.error.issues[0]?.path.join('.') ?? ''} ${shape.error.issues[0]?.message ?? ''}`,
    );
  }
  const summary = raw;
  const warnings: string[] = [];
  let table: LatencyTable | undefined;
  try {
    table = parseLatencyTable(await readObjectJson(resolveStudyUri(input.study, summary.table.uri)), summary.table.uri);
  } catch (err) {
    warnings.push(`latency table ${summary.table.uri} not read (${(err as Error).message.split('\n')[0]}): no per-layer latencies`);
  }
  const traces = new Map<string, TraceInput | { error: string }>();
  const uris = [...new Set(summary.trialRecords.flatMap((t) => (t.result?.trace ? [t.result.trace] : [])))];
  await Promise.all(
    uris.map(async (uri) => {
      try {
        traces.set(uri, parseTrace(await readObjectJson(resolveStudyUri(input.study, uri)), uri));
      } catch (err) {
        traces.set(uri, { error: `${uri}: ${(err as Error).message.split('\n')[0]}` });
      }
    }),
  );
  return buildReportView({ summary, ...(table ? { table } : {}), traces, ...(overlay ? { overlay } : {}), warnings });
}

/** The report's HTML for a view. */
export async function renderReport(view: ReportView): Promise<string> {
  const files = await pageSources('report');
  const script = Buffer.from(files['report.js']!).toString('utf8');
  const css = Buffer.from(files['report.css']!).toString('utf8');
  return renderReportHtml(view, { script, css, scriptSha256: createHash('sha256').update(script, 'utf8').digest('base64') });
}

export async function reportStudy(input: ReportStudyInput, _ctx: UseCaseContext = {}): Promise<ReportStudyOutput> {
  const view = await loadReportView(input);
  if (input.out === undefined) return { view };
  const html = await renderReport(view);
  if (input.out.endsWith('/')) throw new InvalidInputError(`--out ${input.out} names a directory: give a file name, e.g. report.html`);
  const [parent, key] = splitParent(input.out);
  const dir = openStore(parent);
  await dir.put(key, html, { contentType: 'text/html; charset=utf-8' });
  return { view, uri: `${dir.uri}/${key}`, bytes: Buffer.byteLength(html) };
}
