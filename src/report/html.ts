/**
 * The report as one self-contained HTML file: the static parts (header, trial table, front
 * architectures, final models, cost) rendered here with every study-supplied string escaped; the
 * view model embedded as JSON for the page script (src/report/page), which draws the charts with
 * Chart.js and sorts the table. Its Content-Security-Policy allows no network request at all.
 */
import { formatTop1 } from '../study/accuracy';
import { selectionLine } from '../study/best-line';
import { escapeHtml as e, jsonForScript } from './escape';
import { tableFitHtml } from './table-fit-view';
import type { FrontMemberView, ReportView, TrialRow } from './view-model';

export interface ReportAssets {
  /** The bundled page script (Chart.js included). */
  script: string;
  css: string;
  /** base64 SHA-256 of `script`, for the CSP (computed by the caller: this module does no crypto). */
  scriptSha256: string;
}

const pct = (v: number | undefined) => (v === undefined ? '' : `${(100 * v).toFixed(1)}%`);
/** A top-1 with its 95% interval and image count ("(n unknown, no interval)" for old records). */
const acc = (v: number | undefined, images: number | undefined) => (v === undefined ? '' : formatTop1(v, images));
const ms = (v: number | undefined) => (v === undefined ? '' : v.toFixed(2));
/** A measured latency with its own 95% interval when it has one. */
const msIn = (v: number | undefined, iv: [number, number] | undefined) => (v !== undefined && iv ? `${ms(v)} [${ms(iv[0])}-${ms(iv[1])}]` : ms(v));
const secs = (v: number | undefined) =>
  v === undefined ? '' : v < 120 ? `${v.toFixed(0)} s` : v < 7200 ? `${(v / 60).toFixed(1)} min` : `${(v / 3600).toFixed(2)} h`;
const num = (v: number | string | undefined) => (v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : v);
const date = (t: number | undefined) =>
  t === undefined
    ? '-'
    : new Date(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');

/** A sortable cell: the sort key in data-v (numbers sort as numbers; empty sorts last). */

/** The selection line as a sentence, or that there is none yet. */
function selectionSentence(view: Parameters<typeof selectionLine>[0]): string {
  const line = selectionLine(view);
  return line ? `${line}.` : 'No model selected for the target yet.';
}
function cell(text: string, sortKey: number | string | undefined, cls = ''): string {
  return `<td${cls ? ` class="${cls}"` : ''} data-v="${e(sortKey === undefined ? '' : String(sortKey))}">${e(text)}</td>`;
}

function trialRowHtml(t: TrialRow, paramNames: string[], view: ReportView): string {
  const onFront = view.front.some((f) => f.trialId === t.trialId);
  const failure = t.failure ? `${t.failure.type}: ${t.failure.message}` : '';
  return (
    `<tr data-trial="${t.trialId}" class="state-${e(t.state)}${onFront ? ' on-front' : ''}">` +
    cell(String(t.trialId), t.trialId) +
    cell(t.state + (onFront ? ' · front' : ''), t.state) +
    paramNames.map((p) => cell(num(t.params[p]), t.params[p])).join('') +
    cell(ms(t.predictedMs), t.predictedMs, 'num') +
    cell(msIn(t.measuredMs, t.measuredIntervalMs), t.measuredMs, 'num') +
    cell(acc(t.top1, t.images), t.top1, 'num') +
    cell(secs(t.seconds), t.seconds, 'num') +
    cell(t.architecture ?? '', t.architecture, 'arch') +
    cell(failure, failure, 'failure') +
    `</tr>`
  );
}

function trialTable(view: ReportView): string {
  const heads = ['trial', 'state', ...view.paramNames, 'predicted ms', 'measured ms', 'top-1', 'compute', 'architecture', 'failure'];
  return (
    `<table id="trials" class="sortable"><thead><tr>${heads.map((h) => `<th scope="col" tabindex="0">${e(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${view.trials.map((t) => trialRowHtml(t, view.paramNames, view)).join('')}</tbody></table>`
  );
}

function layerBox(l: FrontMemberView['layers'][number]): string {
  const title = l.skip ? `layer ${l.index + 1}: skip` : `layer ${l.index + 1}: kernel ${l.kernel}x${l.kernel}, expansion ${l.expansion}${l.se ? ', SE' : ''}`;
  const body = l.skip
    ? `<span class="op">skip</span>`
    : `<span class="op">k${l.kernel}</span><span class="op">e${l.expansion}</span>${l.se ? '<span class="se">SE</span>' : ''}`;
  const cls = l.skip ? 'skip' : `k${l.kernel} e${l.expansion}${l.se ? ' with-se' : ''}`;
  return `<li class="layer ${cls}" title="${e(title)}"><span class="idx">${l.index + 1}</span>${body}<span class="ms">${l.ms === undefined ? '' : `${l.ms.toFixed(2)} ms`}</span></li>`;
}

function frontArchitectures(view: ReportView): string {
  if (!view.front.length) return `<p class="empty">No finished trial yet.</p>`;
  return view.front
    .map(
      (m) =>
        `<div class="front-member${m.selected ? ' selected' : ''}" data-trial="${m.trialId}">` +
        `<h3>trial ${m.trialId}${m.selected ? ' <span class="badge">selected for the target</span>' : ''}${m.offFront ? ' <span class="badge off">not on the front: tied with a faster member</span>' : ''}</h3>` +
        `<p class="meta">top-1 ${e(acc(m.top1, m.images))} · ${e(ms(m.latencyMs))} ms ${e(view.latency.objective)}` +
        `${m.predictedMs !== undefined ? ` · table: ${e(ms(m.fixedMs))} ms fixed + layers = ${e(ms(m.predictedMs))} ms` : ''}` +
        `${m.lambda !== undefined ? ` · lambda ${e(num(m.lambda))}` : ''}</p>` +
        (m.ties?.length
          ? `<p class="ties">tied on top-1 within the 95% intervals, kept off the front: ${m.ties.map((t) => `trial ${t.trialId} (by ${e(t.by)})`).join(', ')}</p>`
          : '') +
        `<ol class="layers">${m.layers.map(layerBox).join('')}</ol>` +
        `<p class="arch">${e(m.architecture)}</p></div>`,
    )
    .join('');
}

function finalModels(view: ReportView): string {
  if (!view.final.length) return `<p class="empty">${view.study.running ? 'The study is still running: final models come at its end.' : 'No final model.'}</p>`;
  const rows = view.final
    .map(
      (m) =>
        `<tr><td>${m.trialId}</td><td class="arch">${e(m.architecture)}</td><td class="num">${e(acc(m.top1, m.images))}</td><td class="num">${e(acc(m.testTop1, m.testImages))}</td>` +
        `<td class="num">${e(msIn(m.latencyMs, m.latencyIntervalMs))}</td><td class="num">${e(ms(m.predictedMs))}</td><td class="num">${e(secs(m.seconds))}</td><td class="uri">${e(m.model)}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>trial</th><th>architecture</th><th>held-out top-1</th><th>test top-1</th><th>measured ms</th><th>predicted ms</th><th>retraining</th><th>model</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function costTable(view: ReportView): string {
  const rows = view.cost.phases.map((p) => `<tr><td>${e(p.phase)}</td><td class="num">${e(secs(p.seconds))}</td></tr>`).join('');
  return (
    `<table class="cost"><tbody>${rows}<tr class="total"><td>total</td><td class="num">${e(secs(view.cost.totalSeconds))}</td></tr>` +
    `<tr class="saved"><td>saved by the shared warm-up</td><td class="num">${e(secs(view.cost.savedByWarmup))}</td></tr></tbody></table>`
  );
}

function overlayNote(view: ReportView): string {
  const o = view.overlay;
  if (!o) return '';
  const lines = o.targets
    .filter((t) => t.searched)
    .map(
      (t) =>
        `<li>target ${e(num(t.frac))} x largest${t.targetMs !== undefined ? ` (${e(ms(t.targetMs))} ms)` : ''}: searched ${e(pct(t.searched!.meanTop1))} ` +
        `vs random ${t.randoms.map((r) => e(pct(r.meanTop1))).join(', ')}: beats ${t.searchedBeats} of ${t.randoms.length}</li>`,
    )
    .join('');
  return `<div class="overlay-note"><p><strong>Overlay</strong> from <code>${e(o.source)}</code>: ${e(o.caveat)}.</p><ul>${lines}</ul></div>`;
}

export function renderReportHtml(view: ReportView, assets: ReportAssets): string {
  if (/<\/script/i.test(assets.script)) throw new Error('the report page script contains "</script": it cannot be inlined');
  const s = view.study;
  const csp = `default-src 'none'; script-src 'sha256-${assets.scriptSha256}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const warnings = view.warnings.length ? `<ul class="warnings">${view.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : '';
  const t = s.trials;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>spnas report: ${e(s.name)}</title>
<style>${assets.css}</style>
</head>
<body data-ready="0" data-points="${view.points.length}" data-front="${view.front.length}">
<header>
<h1>${e(s.name)} <span class="state state-${e(s.state)}">${e(s.state)}</span></h1>
<p class="meta">space ${e(s.space)} · sampler ${e(s.sampler)} · trials ${t.ok} ok, ${t.failed} failed, ${t.running} running of ${t.planned} planned · parallelism ${s.parallelism}
 · started ${e(date(s.startedAt))} · ${s.endedAt !== undefined ? `ended ${e(date(s.endedAt))}` : `as of ${e(date(s.now))}`}</p>
<p class="meta">latency: ${e(view.latency.objective)} · target ${e(ms(view.latency.targetMs))} ms · largest network ${e(ms(view.latency.largestMs))} ms (table)${view.latency.device ? ` · table device: ${e(view.latency.device)}` : ''} · store <code>${e(s.storage)}</code></p>
${tableFitHtml(view.tableFit)}
${warnings}
</header>
<main>
<section id="front"><h2>Front: held-out top-1 vs ${e(view.latency.objective)} latency</h2>
<div class="chart tall"><canvas id="front-chart" role="img" aria-label="top-1 against latency of every finished trial"></canvas></div>
<p class="hint">Every finished trial is a point, coloured by lambda; front members are outlined and joined. Hover a point for its hyperparameters and architecture.</p>
${overlayNote(view)}
</section>
<section id="architectures"><h2>Front architectures, layer by layer</h2>
<p class="hint">Kernel, expansion, squeeze-and-excitation and skip of each searchable layer, with the layer's latency from the study's table (<code>${e(view.latency.tableUri)}</code>).</p>
<p class="selection">${e(selectionSentence(view))} Two top-1s are tied when the 95% Newcombe interval of their difference contains 0. On the front a tie is broken by lower latency, then more images, then the earlier trial; at the latency target, where latency is a constraint, by the higher top-1 estimate first.</p>
${frontArchitectures(view)}
</section>
<section id="trials-section"><h2>Trials</h2><p class="hint">Click a column to sort.</p>
<div class="scroll">${trialTable(view)}</div>
</section>
<section id="search"><h2>Search curves</h2>
${
  view.curves.length
    ? `<label>trial <select id="curve-select">${view.curves.map((c, i) => `<option value="${i}">${e(c.trialIds.join(', '))}${c.lambda !== undefined ? ` (lambda ${e(num(c.lambda))})` : ''}</option>`).join('')}</select></label>
<div class="pair"><div class="chart"><canvas id="loss-chart" role="img" aria-label="cross-entropy and runtime term over the search steps"></canvas></div>
<div class="chart"><canvas id="decision-chart" role="img" aria-label="each layer's decision over the search steps"></canvas></div></div>`
    : `<p class="empty">No search trace yet.</p>`
}
</section>
<section id="convergence"><h2>HPO convergence and cost</h2>
<div class="pair"><div class="chart"><canvas id="convergence-chart" role="img" aria-label="best top-1 so far and hypervolume over finished trials"></canvas></div>
<div class="chart"><canvas id="cost-chart" role="img" aria-label="compute seconds per phase"></canvas></div></div>
${costTable(view)}
</section>
<section id="final"><h2>Final models</h2>${finalModels(view)}</section>
</main>
<footer>spnas report · view model version ${view.version}</footer>
<script type="application/json" id="report-data">${jsonForScript(view)}</script>
<script>${assets.script}</script>
</body>
</html>
`;
}
