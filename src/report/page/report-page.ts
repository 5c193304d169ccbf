/**
 * The report page's script (bundled inline with Chart.js by scripts/page-bundle.cjs): reads the view
 * model embedded in the page, draws the charts, makes the trial table sortable, and marks the body
 * data-ready="1" with what it drew (data-drawn-points, data-drawn-front) for tests and screenshots.
 * Tooltips are drawn on the canvas, so nothing from the study ever becomes markup here.
 */
import { Chart, registerables, type ChartDataset, type TooltipItem } from 'chart.js';
import type { FrontPoint, ReportView } from '../view-model';
import type { SearchCurve } from '../search-curves';

Chart.register(...registerables);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, "Liberation Sans", sans-serif';

const view = JSON.parse(document.getElementById('report-data')!.textContent!) as ReportView;
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const canvas = (id: string) => document.getElementById(id) as HTMLCanvasElement | null;

/** Viridis-like ramp, t in [0, 1]. */
function ramp(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((v, k) => Math.round(v + f * (stops[i + 1]![k]! - v)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Colour by lambda on a log scale (lambda spans decades). */
function lambdaColour(points: FrontPoint[]): { colour(l: number | undefined): string; lo: number; hi: number } {
  const ls = points.map((p) => p.lambda).filter((l): l is number => l !== undefined && l > 0);
  const lo = ls.length ? Math.min(...ls) : 1;
  const hi = ls.length ? Math.max(...ls) : 1;
  const span = Math.log(hi) - Math.log(lo) || 1;
  return { colour: (l) => (l === undefined || l <= 0 ? '#9ca3af' : ramp((Math.log(l) - Math.log(lo)) / span)), lo, hi };
}

type XY = { x: number; y: number | null; trial?: FrontPoint; label?: string };

function frontChart(): { points: number; front: number; overlay: number } {
  const el = canvas('front-chart');
  if (!el) return { points: 0, front: 0, overlay: 0 };
  const { colour, lo, hi } = lambdaColour(view.points);
  const pts: XY[] = view.points.map((p) => ({ x: p.latencyMs, y: 100 * p.top1, trial: p }));
  const front = view.points.filter((p) => p.onFront).sort((a, b) => a.latencyMs - b.latencyMs);
  const datasets: ChartDataset<'scatter', XY[]>[] = [
    {
      label: 'front',
      data: front.map((p) => ({ x: p.latencyMs, y: 100 * p.top1, trial: p })),
      showLine: true,
      borderColor: '#dc2626',
      borderWidth: 2,
      pointRadius: 9,
      pointBorderWidth: 3,
      pointBackgroundColor: 'rgba(0,0,0,0)',
      pointBorderColor: '#dc2626',
      order: 0,
    },
    {
      label: `trials (colour: lambda ${lo.toPrecision(2)} .. ${hi.toPrecision(2)}, log scale)`,
      data: pts,
      pointRadius: 6,
      pointBackgroundColor: view.points.map((p) => colour(p.lambda)),
      pointBorderColor: '#111827',
      borderColor: '#6b7280',
      backgroundColor: ramp(0.5),
      order: 1,
    },
  ];
  const o = view.overlay;
  const searched: XY[] = [];
  const randoms: XY[] = [];
  if (o) {
    const spread: XY[] = [];
    for (const t of o.targets) {
      for (const a of [...(t.searched ? [t.searched] : []), ...t.randoms]) {
        const label = `${a.kind} (bench, target ${t.frac} x largest): ${pct(a.meanTop1)} mean of ${a.seeds} seeds (${pct(a.minTop1)} .. ${pct(a.maxTop1)}) at ${a.predictedMs.toFixed(2)} ms predicted; ${a.architecture}`;
        (a.kind === 'searched' ? searched : randoms).push({ x: a.predictedMs, y: 100 * a.meanTop1, label });
        spread.push({ x: a.predictedMs, y: 100 * a.minTop1 }, { x: a.predictedMs, y: 100 * a.maxTop1 }, { x: a.predictedMs, y: null });
      }
    }
    datasets.push(
      {
        label: 'searched-vs-random bench: searched (mean over seeds)',
        data: searched,
        pointStyle: 'star',
        pointRadius: 10,
        borderColor: '#1d4ed8',
        borderWidth: 2,
        order: 2,
      },
      {
        label: 'bench: random, same predicted latency (mean)',
        data: randoms,
        pointStyle: 'triangle',
        pointRadius: 7,
        backgroundColor: '#f59e0b',
        borderColor: '#92400e',
        order: 3,
      },
      {
        label: 'bench: spread over seeds (min..max)',
        data: spread,
        showLine: true,
        spanGaps: false,
        pointRadius: 0,
        borderColor: 'rgba(120,120,120,0.8)',
        borderWidth: 2,
        order: 4,
      },
    );
  }
  new Chart(el, {
    type: 'scatter',
    data: { datasets },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: `latency (ms, ${view.latency.objective}${o ? '; bench points: predicted' : ''})` } },
        y: { title: { display: true, text: 'held-out top-1 (%)' } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item: TooltipItem<'scatter'>) => {
              const d = item.raw as XY;
              if (d.label) return d.label;
              const p = d.trial;
              if (!p) return `${item.parsed.y}`;
              const params = Object.entries(p.params).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toPrecision(3) : v}`);
              const ci = p.interval ? ` [${pct(p.interval[0])}-${pct(p.interval[1])}] on ${p.images} images` : ' (n unknown, no interval)';
              return [`trial ${p.trialId}${p.onFront ? ' (front)' : ''}: ${pct(p.top1)}${ci} at ${p.latencyMs.toFixed(2)} ms`, ...params, p.architecture];
            },
          },
        },
      },
    },
  });
  return { points: pts.length, front: front.length, overlay: searched.length + randoms.length };
}

const OP_COLOURS: Record<string, string> = {
  skip: '#d1d5db',
  k3e3: '#93c5fd',
  k3e6: '#2563eb',
  k5e3: '#fca5a5',
  k5e6: '#dc2626',
  'k3e3+se': '#6ee7b7',
  'k3e6+se': '#059669',
  'k5e3+se': '#fcd34d',
  'k5e6+se': '#d97706',
};

let curveCharts: Array<{ destroy(): void }> = [];
function drawCurve(c: SearchCurve): void {
  curveCharts.forEach((ch) => ch.destroy());
  curveCharts = [];
  const loss = canvas('loss-chart');
  const dec = canvas('decision-chart');
  if (!loss || !dec) return;
  curveCharts.push(
    new Chart(loss, {
      type: 'line',
      data: {
        labels: c.steps,
        datasets: [
          { label: 'cross-entropy', data: c.ce, borderColor: '#2563eb', pointRadius: 0, yAxisID: 'y' },
          { label: 'runtime term R (ms)', data: c.runtimeMs, borderColor: '#dc2626', pointRadius: 0, yAxisID: 'y1' },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: 'search step' } },
          y: { title: { display: true, text: 'CE' } },
          y1: { position: 'right', title: { display: true, text: 'R (ms)' }, grid: { drawOnChartArea: false } },
        },
      },
    }),
  );
  const layers = c.decisions.map((_, i) => `layer ${i + 1}`);
  const last = c.steps[c.steps.length - 1] ?? 0;
  const ops = [...new Set(c.decisions.flat().map((r) => r.op))];
  const datasets = ops.map((op) => ({
    label: op,
    backgroundColor: OP_COLOURS[op] ?? '#6b7280',
    data: c.decisions.flatMap((runs, i) =>
      runs.flatMap((r, j) => (r.op === op ? [{ y: layers[i]!, x: [r.from, runs[j + 1]?.from ?? last] as [number, number] }] : [])),
    ),
    grouped: false,
    barPercentage: 0.9,
    categoryPercentage: 1,
  }));
  curveCharts.push(
    new Chart(dec, {
      type: 'bar',
      data: { labels: layers, datasets },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        scales: {
          x: {
            type: 'linear',
            min: c.steps[0] ?? 0,
            max: Math.max(last, c.steps[0] ?? 0),
            title: { display: true, text: "search step (each layer's decoded op)" },
          },
        },
      },
    }),
  );
}

function curves(): void {
  const sel = document.getElementById('curve-select') as HTMLSelectElement | null;
  if (!sel || !view.curves.length) return;
  const best = view.front[0]?.trialId;
  const start = Math.max(
    0,
    view.curves.findIndex((c) => best !== undefined && c.trialIds.includes(best)),
  );
  sel.value = String(start);
  drawCurve(view.curves[start]!);
  sel.addEventListener('change', () => drawCurve(view.curves[Number(sel.value)]!));
}

function convergence(): void {
  const el = canvas('convergence-chart');
  if (!el) return;
  const b = view.convergence.bestSoFar;
  const hv = new Map(view.convergence.hypervolume.map((h) => [h.finished, h.hv]));
  new Chart(el, {
    type: 'line',
    data: {
      labels: b.map((x) => x.finished),
      datasets: [
        {
          label: 'best top-1 so far (%)',
          data: b.map((x) => (x.top1 === undefined ? null : 100 * x.top1)),
          borderColor: '#2563eb',
          stepped: true,
          yAxisID: 'y',
        },
        {
          label: 'best within the latency target (%)',
          data: b.map((x) => (x.top1WithinTarget === undefined ? null : 100 * x.top1WithinTarget)),
          borderColor: '#059669',
          stepped: true,
          yAxisID: 'y',
        },
        { label: 'hypervolume', data: b.map((x) => hv.get(x.finished) ?? null), borderColor: '#dc2626', borderDash: [5, 4], yAxisID: 'y1' },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'finished trials' } },
        y: { title: { display: true, text: 'top-1 (%)' } },
        y1: { position: 'right', title: { display: true, text: 'hypervolume' }, grid: { drawOnChartArea: false } },
      },
    },
  });
}

function cost(): void {
  const el = canvas('cost-chart');
  if (!el) return;
  const labels = [...view.cost.phases.map((p) => p.phase), 'saved by warm-up'];
  new Chart(el, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: 'compute seconds',
          data: [...view.cost.phases.map((p) => p.seconds), view.cost.savedByWarmup],
          backgroundColor: [...view.cost.phases.map(() => '#2563eb'), '#059669'],
        },
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { title: { display: true, text: 'seconds' } } },
    },
  });
}

function sortableTables(): void {
  for (const table of document.querySelectorAll<HTMLTableElement>('table.sortable')) {
    const body = table.tBodies[0]!;
    table.querySelectorAll('th').forEach((th, col) => {
      const sort = () => {
        const asc = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('th').forEach((h) => h.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        const key = (r: HTMLTableRowElement) => r.cells[col]?.dataset.v ?? '';
        const rows = [...body.rows];
        const numeric = rows.every((r) => key(r) === '' || Number.isFinite(Number(key(r))));
        rows.sort((a, b) => {
          const [x, y] = [key(a), key(b)];
          if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1; // empty last either way
          const c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return asc ? c : -c;
        });
        body.append(...rows);
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') sort();
      });
    });
  }
}

const drawn = frontChart();
curves();
convergence();
cost();
sortableTables();
document.body.dataset.drawnPoints = String(drawn.points);
document.body.dataset.drawnFront = String(drawn.front);
document.body.dataset.drawnOverlay = String(drawn.overlay);
document.body.dataset.ready = '1';
