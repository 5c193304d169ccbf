// Draws the regret curves of regret.ts: one panel per function, median simple regret over seeds
// (log scale) with the interquartile band, per method. Writes an SVG and, when rsvg-convert
// (Debian: librsvg2-bin) is installed, a PNG next to it.
// Run: node --import tsx bench/hpo/plot-regret.ts [--dir bench/hpo/results]
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const i = process.argv.indexOf('--dir');
const DIR = i > 0 ? process.argv[i + 1]! : 'bench/hpo/results';
const files = readdirSync(DIR).filter((f) => /^regret(-[a-z0-9]+)?\.csv$/.test(f));
// curves[fn][method][seed] = regret per evaluation
const curves: Record<string, Record<string, number[][]>> = {};
for (const f of files) {
  for (const line of readFileSync(join(DIR, f), 'utf8').trim().split('\n').slice(1)) {
    const [fn, method, seed, evals, , regret] = line.split(',');
    const bySeed = ((curves[fn!] ??= {})[method!] ??= []);
    (bySeed[Number(seed)] ??= [])[Number(evals) - 1] = Math.max(Number(regret), 1e-9);
  }
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (s.length - 1) * q;
  return s[Math.floor(p)]! + (s[Math.ceil(p)]! - s[Math.floor(p)]!) * (p - Math.floor(p));
};
const COLORS: Record<string, string> = { random: '#d62728', gp: '#1f77b4', bohb: '#2ca02c' };
const W = 420;
const H = 320;
const M = { l: 60, r: 15, t: 30, b: 45 };
const fns = Object.keys(curves);
const parts: string[] = [];
fns.forEach((fn, k) => {
  const x0 = k * W;
  const methods = curves[fn]!;
  const n = Math.max(...Object.values(methods).map((s) => s[0]!.length));
  const yMin = -6;
  const yMax = 3;
  const px = (e: number) => x0 + M.l + ((e - 1) / (n - 1)) * (W - M.l - M.r);
  const py = (r: number) => M.t + ((yMax - Math.min(yMax, Math.max(yMin, Math.log10(r)))) / (yMax - yMin)) * (H - M.t - M.b);
  parts.push(`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${fn}</text>`);
  parts.push(`<rect x="${x0 + M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#888"/>`);
  for (let d = yMin; d <= yMax; d++) {
    const y = py(10 ** d);
    parts.push(`<line x1="${x0 + M.l}" x2="${x0 + W - M.r}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 + M.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">1e${d}</text>`);
  }
  parts.push(`<line x1="${x0 + M.l}" x2="${x0 + W - M.r}" y1="${py(1e-3)}" y2="${py(1e-3)}" stroke="#999" stroke-dasharray="4 3"/>`);
  for (let e = 0; e <= n; e += n > 60 ? 20 : 10) {
    if (e < 1) continue;
    parts.push(`<text x="${px(e)}" y="${H - M.b + 16}" text-anchor="middle" font-size="11">${e}</text>`);
  }
  parts.push(`<text x="${x0 + M.l + (W - M.l - M.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">evaluations (full-budget equivalents)</text>`);
  if (k === 0)
    parts.push(
      `<text x="14" y="${M.t + (H - M.t - M.b) / 2}" font-size="12" transform="rotate(-90 14 ${M.t + (H - M.t - M.b) / 2})" text-anchor="middle">simple regret (median, IQR)</text>`,
    );
  Object.entries(methods).forEach(([method, seeds], j) => {
    const len = seeds[0]!.length;
    const at = (e: number, q: number) =>
      quantile(
        seeds.map((s) => s[e]!),
        q,
      );
    const band = [
      ...Array.from({ length: len }, (_, e) => `${px(e + 1)},${py(at(e, 0.25))}`),
      ...Array.from({ length: len }, (_, e) => `${px(len - e)},${py(at(len - 1 - e, 0.75))}`),
    ];
    const color = COLORS[method] ?? '#555';
    parts.push(`<polygon points="${band.join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    parts.push(
      `<polyline points="${Array.from({ length: len }, (_, e) => `${px(e + 1)},${py(at(e, 0.5))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${x0 + W - M.r - 8}" y="${M.t + 16 + 15 * j}" text-anchor="end" font-size="12" fill="${color}">${method}</text>`);
  });
});
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W * fns.length}" height="${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
const svgPath = join(DIR, 'regret.svg');
writeFileSync(svgPath, svg);
try {
  execFileSync('rsvg-convert', ['-o', join(DIR, 'regret.png'), svgPath]);
  console.log(`wrote ${svgPath} and regret.png`);
} catch {
  console.log(`wrote ${svgPath}; install librsvg2-bin (rsvg-convert) for the PNG`);
}
