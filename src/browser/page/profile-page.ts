/**
 * The browser profiling page (served by `spnas profile --target browser`): runs the profiler's own
 * measureSpace (profiler/profile-measure.ts, bundled) on the backend this browser offers, posts the
 * raw timings back, and shows the table and its prediction error computed by the same code.
 */
import { measureSpace, summariseMeasurement, type ProfileProgress } from '../../profiler/profile-measure';
import type { Statistic } from '../../latency/statistic';
import { architectureToString, CANDIDATES } from '../../space/architecture';
import { parseSearchSpace } from '../../space/spec';
import { checkBackendPreference } from '../backends';
import { browserTableLabels, type BrowserMeasurement, type ProfileConfig } from '../profile-protocol';
import { chooseBackend, tf } from './tf-backend';

const $ = (id: string) => document.getElementById(id)!;

function show(id: string, text: string): void {
  $(id).textContent = text;
}

async function post(session: string, what: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`api/${session}/${what}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`spnas refused the ${what}: ${String(json.error ?? res.status)}`);
  return json;
}

/** Progress to the command at most every 500 ms (and the last one), and to the page's bar. */
function progressSender(session: string): (p: ProfileProgress) => void {
  let last = 0;
  return (p) => {
    const bar = $('bar') as HTMLProgressElement;
    bar.max = p.total;
    bar.value = p.done;
    show('status', `${p.phase === 'build' ? 'building models' : 'timing rounds'}: ${p.done} / ${p.total}`);
    const now = performance.now();
    if (now - last < 500 && p.done !== p.total) return;
    last = now;
    post(session, 'progress', p).catch(() => undefined);
  };
}

function renderTable(table: ReturnType<typeof summariseMeasurement>['table']): void {
  const hasSe = table.layers.some((l) => l.se);
  const head = ['layer', ...CANDIDATES, ...(hasSe ? ['+SE e3', '+SE e6'] : [])];
  $('table').querySelector('thead')!.innerHTML = '';
  const tr = document.createElement('tr');
  for (const h of head) tr.append(Object.assign(document.createElement('th'), { textContent: h }));
  $('table').querySelector('thead')!.append(tr);
  const body = $('table').querySelector('tbody')!;
  const row = (cells: string[]) => {
    const r = document.createElement('tr');
    for (const c of cells) r.append(Object.assign(document.createElement('td'), { textContent: c }));
    body.append(r);
  };
  row(['fixed', table.fixedMs.toFixed(3), ...head.slice(2).map(() => '')]);
  table.layers.forEach((l, i) => row([String(i + 1), ...CANDIDATES.map((c) => l[c].toFixed(3)), ...(l.se ? [l.se.e3.toFixed(3), l.se.e6.toFixed(3)] : [])]));
}

async function main(): Promise<void> {
  const session = new URLSearchParams(location.search).get('session');
  if (!session) throw new Error('this page must be opened at the URL that `spnas profile --target browser` prints (it carries ?session=...)');
  const res = await fetch('config.json');
  if (!res.ok) throw new Error(`cannot read config.json from the spnas server (${res.status})`);
  const cfg = (await res.json()) as ProfileConfig;
  const space = parseSearchSpace(cfg.space, 'search space from spnas');
  show('space', space.name);
  const preference = checkBackendPreference(new URLSearchParams(location.search).get('backend') ?? cfg.backend);
  const be = await chooseBackend(preference, 'wasm/');
  show('backend', `${be.name} (${be.detail})${be.skipped.length ? `; not used: ${be.skipped.join('; ')}` : ''}`);

  const m = await measureSpace(tf, space, be.threads, {
    repeats: cfg.repeats,
    warmup: cfg.warmup,
    samples: cfg.samples,
    seed: cfg.seed,
    onProgress: progressSender(session),
  });
  const posted: BrowserMeasurement = {
    backend: be.name,
    backendDetail: be.detail,
    threads: m.threads,
    userAgent: navigator.userAgent,
    cores: navigator.hardwareConcurrency ?? 0,
    samples: m.samples,
    front: m.front,
    frontOverhead: m.frontOverhead,
    back: m.back,
    logitsOverhead: m.logitsOverhead,
    layers: m.layers,
    archs: m.archs.map((a) => ({ arch: architectureToString(a.arch), model: a.model })),
    repeats: m.repeats,
    warmup: m.warmup,
    seconds: m.seconds,
  };
  show('status', 'sending the timings to spnas...');
  const answer = await post(session, 'measurement', posted);
  const r = summariseMeasurement(m, { ...browserTableLabels(posted), statistic: answer.statistic as Statistic, source: 'spnas profile --target browser' });
  renderTable(r.table);
  if (r.report) {
    const e = r.report.exact;
    show(
      'report',
      `${r.report.count} random architectures: median |error| ${e.medianAbsErrPct.toFixed(1)}%, within +-10%: ${(100 * e.within10).toFixed(0)}%, mean error ${e.meanErrPct.toFixed(1)}% (exact lookup).`,
    );
  } else show('report', 'no check requested (--samples 0).');
  $('result').hidden = false;
  show('status', `done in ${m.seconds.toFixed(1)} s: spnas received the timings and writes the table to ${String(answer.out)}. You can close this tab.`);
  document.body.dataset.state = 'done';
}

main().catch(async (err: unknown) => {
  const message = (err as Error).message ?? String(err);
  $('error').hidden = false;
  show('error', message);
  show('status', 'failed');
  document.body.dataset.state = 'failed';
  const session = new URLSearchParams(location.search).get('session');
  if (session) await post(session, 'failure', { message }).catch(() => undefined);
});
