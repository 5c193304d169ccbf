/**
 * A minimal SVG line/point chart for the NAS benches' figures (no plotting dependency): panels with
 * axes, ticks, titles, polylines, points with error bars, horizontal reference lines and a legend.
 * `writeFigure` writes the SVG and, when rsvg-convert (librsvg2-bin) is installed, a PNG beside it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface Series {
  label?: string;
  color: string;
  points: Array<[number, number]>;
  /** 'line' (default) or 'points' (markers, with optional error bars [low, high] per point). */
  kind?: 'line' | 'points';
  errors?: Array<[number, number]>;
  dash?: boolean;
  width?: number;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference lines (targets, zero). */
  hlines?: Array<{ y: number; color: string; label?: string }>;
  /** Vertical reference lines (end of warm-up). */
  vlines?: Array<{ x: number; color: string; label?: string }>;
  yRange?: [number, number];
  xRange?: [number, number];
}

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
  '#8c6d31',
  '#843c39',
  '#7b4173',
  '#3182bd',
  '#e6550d',
  '#31a354',
  '#756bb1',
  '#636363',
];

/** Ticks at a 1-2-5 step, with as many decimals as the step needs. */
function niceTicks(lo: number, hi: number, n = 5): Array<{ v: number; label: string }> {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const out: Array<{ v: number; label: string }> = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push({ v, label: v.toFixed(decimals) });
  return out;
}

function renderPanel(p: Panel, x0: number, y0: number, W: number, H: number): string {
  const M = { l: 58, r: 12, t: 26, b: 40 };
  const all = p.series.flatMap((s) => s.points);
  const errs = p.series.flatMap((s) => s.errors ?? []);
  const xs = all.map(([x]) => x);
  const ys = [...all.map(([, y]) => y), ...errs.flat(), ...(p.hlines ?? []).map((h) => h.y)].filter(Number.isFinite);
  const [xa, xb] = p.xRange ?? [Math.min(...xs), Math.max(...xs)];
  let [ya, yb] = p.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (!p.yRange) {
    const pad = (yb - ya) * 0.06 || Math.abs(ya) * 0.1 || 1;
    ya -= pad;
    yb += pad;
  }
  const px = (x: number) => x0 + M.l + ((x - xa) / (xb - xa || 1)) * (W - M.l - M.r);
  const py = (y: number) => y0 + M.t + ((yb - Math.min(yb, Math.max(ya, y))) / (yb - ya || 1)) * (H - M.t - M.b);
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="${y0 + 16}" text-anchor="middle" font-size="13" font-weight="bold">${p.title}</text>`);
  out.push(`<rect x="${x0 + M.l}" y="${y0 + M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#888"/>`);
  for (const t of niceTicks(ya, yb)) {
    out.push(`<line x1="${x0 + M.l}" x2="${x0 + W - M.r}" y1="${py(t.v)}" y2="${py(t.v)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + M.l - 5}" y="${py(t.v) + 4}" text-anchor="end" font-size="10">${t.label}</text>`);
  }
  for (const t of niceTicks(xa, xb)) out.push(`<text x="${px(t.v)}" y="${y0 + H - M.b + 14}" text-anchor="middle" font-size="10">${t.label}</text>`);
  out.push(`<text x="${x0 + M.l + (W - M.l - M.r) / 2}" y="${y0 + H - 8}" text-anchor="middle" font-size="11">${p.xLabel}</text>`);
  const cy = y0 + M.t + (H - M.t - M.b) / 2;
  out.push(`<text x="${x0 + 13}" y="${cy}" font-size="11" text-anchor="middle" transform="rotate(-90 ${x0 + 13} ${cy})">${p.yLabel}</text>`);
  for (const h of p.hlines ?? []) {
    out.push(`<line x1="${x0 + M.l}" x2="${x0 + W - M.r}" y1="${py(h.y)}" y2="${py(h.y)}" stroke="${h.color}" stroke-dasharray="5 3"/>`);
    if (h.label) out.push(`<text x="${x0 + M.l + 4}" y="${py(h.y) - 3}" font-size="10" fill="${h.color}">${h.label}</text>`);
  }
  for (const v of p.vlines ?? []) {
    out.push(`<line x1="${px(v.x)}" x2="${px(v.x)}" y1="${y0 + M.t}" y2="${y0 + H - M.b}" stroke="${v.color}" stroke-dasharray="3 3"/>`);
    if (v.label) out.push(`<text x="${px(v.x) + 3}" y="${y0 + M.t + 11}" font-size="10" fill="${v.color}">${v.label}</text>`);
  }
  let legendRow = 0;
  for (const s of p.series) {
    if (s.kind === 'points') {
      s.points.forEach(([x, y], i) => {
        const e = s.errors?.[i];
        if (e) out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${py(e[0])}" y2="${py(e[1])}" stroke="${s.color}"/>`);
        out.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3.5" fill="${s.color}" fill-opacity="0.85"/>`);
      });
    } else {
      out.push(
        `<polyline points="${s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.4}"${s.dash ? ' stroke-dasharray="4 3"' : ''}/>`,
      );
    }
    if (s.label) {
      out.push(`<text x="${x0 + W - M.r - 6}" y="${y0 + M.t + 12 + 12 * legendRow++}" text-anchor="end" font-size="10" fill="${s.color}">${s.label}</text>`);
    }
  }
  return out.join('');
}

/** Panels in a grid of `cols` columns, each W x H pixels. */
export function renderFigure(panels: Panel[], cols: number, W = 420, H = 260, title?: string): string {
  const top = title ? 24 : 0;
  const rows = Math.ceil(panels.length / cols);
  const body = panels.map((p, i) => renderPanel(p, (i % cols) * W, top + Math.floor(i / cols) * H, W, H)).join('');
  const head = title ? `<text x="${(cols * W) / 2}" y="17" text-anchor="middle" font-size="15" font-weight="bold">${title}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W}" height="${top + rows * H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${head}${body}</svg>\n`;
}

/** Writes `<base>.svg` (and `<base>.png` when rsvg-convert is available); returns the files written. */
export function writeFigure(base: string, svg: string): string[] {
  fs.writeFileSync(`${base}.svg`, svg);
  try {
    execFileSync('rsvg-convert', ['-o', `${base}.png`, `${base}.svg`], { stdio: 'ignore' });
    return [`${base}.svg`, `${base}.png`];
  } catch {
    return [`${base}.svg`];
  }
}
