/**
 * Use case: write a self-contained web page that runs an exported model in the browser (TF.js bundled,
 * no CDN), to a local directory or an s3:// prefix. See src/browser/web-export.ts.
 */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { parseOrThrow } from '../config/zod-issues';
import { exportWebPage as writePage, type WebExportResult } from '../browser/web-export';
import { openStore } from '../storage/open-store';
import type { UseCaseContext } from './context';

export const exportWebInputSchema = z
  .object({
    model: z.string().min(1),
    /** Directory or s3:// prefix of the page. */
    web: z.string().min(1),
    /** Class names: a file with one per line, or comma-separated. */
    labels: z.string().min(1).optional(),
  })
  .strict();
export type ExportWebInput = z.input<typeof exportWebInputSchema>;

export interface ExportWebOutput extends WebExportResult {
  from: string;
}

export async function exportWebPage(raw: ExportWebInput, _ctx: UseCaseContext = {}): Promise<ExportWebOutput> {
  const input = parseOrThrow(exportWebInputSchema, raw, 'export-web input');
  const { tf } = loadTf();
  const src = openStore(input.model);
  const r = await writePage(tf, src, openStore(input.web), input.labels);
  return { ...r, from: src.uri };
}
