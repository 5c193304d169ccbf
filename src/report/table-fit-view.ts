/**
 * The latency table's accuracy on the study's own networks, and the device it belongs to, in the
 * report: one small view and its HTML, kept apart so the report's other sections change independently.
 */
import { describeDevice } from '../latency/device-fingerprint';
import type { TableAccuracy } from '../latency/prediction-error';
import type { StudySummary } from '../study/records';
import { escapeHtml as e } from './escape';

export interface TableFitView {
  accuracy?: TableAccuracy;
  /** The largest network measured on the device at the start (the unit of a measured target), ms. */
  measuredLargestMs?: number;
  device?: string;
  /** 'given', 'cache', 'profiled', 'profile-activity' (src/study/records.ts DeviceTableRecord). */
  source?: string;
  /** One sentence on the check of a table from another device, when one ran. */
  check?: string;
}

export function tableFitView(s: Pick<StudySummary, 'tableAccuracy' | 'table' | 'deviceTable'>): { tableFit?: TableFitView } {
  const d = s.deviceTable;
  const c = d?.check;
  const v: TableFitView = {
    ...(s.tableAccuracy ? { accuracy: s.tableAccuracy } : {}),
    ...(s.table.measuredLargestMs !== undefined ? { measuredLargestMs: s.table.measuredLargestMs } : {}),
    ...(d ? { device: describeDevice(d.fingerprint), source: d.source } : {}),
    ...(c
      ? {
          check: `a table from ${describeDevice(c.tableDevice)} was checked on ${c.accuracy.count} whole network${c.accuracy.count > 1 ? 's' : ''}: median error ${c.accuracy.medianAbsErrPct.toFixed(1)}% (tolerance ${c.tolerancePct}%), ${c.passed ? 'passed' : 'failed'}; ${c.action}`,
        }
      : {}),
  };
  return Object.keys(v).length ? { tableFit: v } : {};
}

/** "table accuracy on this study's 12 measured networks: 92% within +-10%, median error 4.1% (predicted/measured 1.03x)". */
export function tableAccuracyLine(a: TableAccuracy): string {
  return `table accuracy on this study's ${a.count} measured network${a.count > 1 ? 's' : ''}: ${(100 * a.within10).toFixed(0)}% within +-10%, median error ${a.medianAbsErrPct.toFixed(1)}% (predicted/measured ${a.ratio.toFixed(2)}x)`;
}

export function tableFitHtml(v: TableFitView | undefined): string {
  if (!v) return '';
  const parts = [
    v.accuracy ? tableAccuracyLine(v.accuracy) : undefined,
    v.measuredLargestMs !== undefined ? `largest network measured on the device: ${v.measuredLargestMs.toFixed(2)} ms (the unit of the target)` : undefined,
    v.device ? `table device: ${v.device} (${v.source})` : undefined,
    v.check,
  ].filter((p): p is string => p !== undefined);
  return `<p class="meta table-fit">${parts.map((p) => e(p)).join(' · ')}</p>`;
}
