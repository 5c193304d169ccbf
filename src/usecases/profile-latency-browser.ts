/**
 * Use case: measure a latency table in a browser. Serves the profiling page on 127.0.0.1, waits for a
 * browser to open it (the URL goes to `ctx.onListening`) and post its timings, then writes the table
 * like `profileLatency` does. Not an activity: a person (or a test's headless browser) opens the page.
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { BROWSER_BACKENDS } from '../browser/backends';
import { profileInBrowser, type BrowserProfileResult } from '../browser/browser-profile';
import { openStore } from '../storage/open-store';
import { splitParent } from '../storage/uri';
import type { UseCaseContext } from './context';
import { resolveSpaceRef } from './inputs';
import { writeJson } from '../storage/json-store';
import { profileInputSchema } from './profile-latency';

export const browserProfileInputSchema = profileInputSchema.extend({
  /** 'auto': the first of WebGPU, WebGL, WASM, CPU that starts in the browser. */
  backend: z.enum(['auto', ...BROWSER_BACKENDS]).default('auto'),
  /** Port on 127.0.0.1; absent or 0: any free port. */
  port: z.number().int().min(0).max(65535).optional(),
});
export type BrowserProfileInput = z.input<typeof browserProfileInputSchema>;

export interface BrowserProfileContext extends UseCaseContext {
  /** The page's URL, once served: print it or open a browser at it. */
  onListening?: (url: string) => void;
}

export interface BrowserProfileOutput extends BrowserProfileResult {
  out: string;
}

export async function profileLatencyInBrowser(raw: BrowserProfileInput, ctx: BrowserProfileContext = {}): Promise<BrowserProfileOutput> {
  const input = parseOrThrow(browserProfileInputSchema, raw, 'browser profile input');
  const space = resolveSpaceRef(input.space, 'browser profile input.space');
  const [parent, name] = splitParent(input.out);
  const store = openStore(parent);
  const out = `${store.uri}/${name}`;
  const result = await profileInBrowser(space, {
    repeats: input.repeats,
    warmup: input.warmup,
    samples: input.samples,
    seed: input.seed,
    statistic: input.statistic,
    device: input.device,
    backend: input.backend,
    port: input.port,
    out,
    signal: ctx.signal,
    onListening: ctx.onListening,
    log: ctx.log,
    onProgress: (p) => ctx.onProgress?.({ phase: `profile ${p.phase}`, done: p.done, total: p.total }),
  });
  await writeJson(store, name, result.table);
  return { ...result, out };
}
