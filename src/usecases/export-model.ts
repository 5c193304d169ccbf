/**
 * Use case: verify an exported model (hashes, shapes; rebuilt from its architecture, never
 * deserialised) and publish a copy to another store, manifest last.
 */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { parseOrThrow } from '../config/zod-issues';
import { exportModel as writeModel, loadModel } from '../nas/model-export';
import { parseSearchSpace } from '../space/spec';
import { openStore } from '../storage/open-store';
import type { UseCaseContext } from './context';

export const exportInputSchema = z.object({ model: z.string().min(1), out: z.string().min(1) }).strict();
export type ExportInput = z.input<typeof exportInputSchema>;

export interface ExportOutput {
  from: string;
  to: string;
  files: string[];
}

export async function exportModel(raw: ExportInput, _ctx: UseCaseContext = {}): Promise<ExportOutput> {
  const input = parseOrThrow(exportInputSchema, raw, 'export input');
  const { tf } = loadTf();
  const src = openStore(input.model);
  const dst = openStore(input.out);
  const { model, meta } = await loadModel(tf, src, '', (v) => parseSearchSpace(v, `${src.uri} space`));
  try {
    const manifest = await writeModel(tf, model, dst, '', meta);
    return { from: src.uri, to: dst.uri, files: manifest.files.map((x) => x.path) };
  } finally {
    model.dispose();
  }
}
