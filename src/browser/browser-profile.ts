/**
 * `spnas profile --target browser`: serves the profiling page on 127.0.0.1, waits for a browser to
 * open it and post its timings, and turns them into a latency table with the same code (and the same
 * statistic) as the Node profiler. The browser does the measuring; this side validates and summarises.
 */
import { randomBytes } from 'node:crypto';
import { CancelledError, InvalidInputError, SpnasError } from '../errors';
import { DEFAULT_STATISTIC, type Statistic } from '../latency/statistic';
import { summariseMeasurement, type ProfileProgress, type ProfileResult } from '../profiler/profile-measure';
import type { SearchSpace } from '../space/spec';
import { bundlePage } from './bundle';
import { checkPort, startLocalServer } from './local-server';
import type { BackendPreference, BrowserBackend } from './backends';
import { browserTableLabels, parseBrowserMeasurement, type ProfileConfig } from './profile-protocol';

export interface BrowserProfileOptions {
  repeats?: number;
  warmup?: number;
  samples?: number;
  seed?: number;
  statistic?: Statistic;
  /** Device label stored in the table (default: browser, OS, cores and backend). */
  device?: string;
  /** Backend the page should use; default 'auto' (WebGPU, WebGL, WASM, CPU: the first that starts). */
  backend?: BackendPreference;
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Where the command will write the table (shown on the page). */
  out?: string;
  signal?: AbortSignal;
  /** Called with the page's URL once the server listens: print it, or open a browser at it. */
  onListening?: (url: string) => void;
  /** Timings progress, as the page reports it. */
  onProgress?: (p: ProfileProgress) => void;
  /** One line per event worth telling (page connected, backend chosen). */
  log?: (line: string) => void;
}

export interface BrowserProfileResult extends ProfileResult {
  /** The backend the browser used, and how it ran (binary, threads, GPU renderer). */
  backend: BrowserBackend;
  backendDetail: string;
  userAgent: string;
}

/**
 * Serves the page and resolves with the table once a browser has posted a valid measurement.
 * Rejects with SpnasError BROWSER_PAGE_FAILED if the page reports a failure, CancelledError on `signal`.
 */
export async function profileInBrowser(space: SearchSpace, opts: BrowserProfileOptions = {}): Promise<BrowserProfileResult> {
  const cfg: ProfileConfig = {
    space,
    repeats: opts.repeats ?? 20,
    warmup: opts.warmup ?? 5,
    samples: opts.samples ?? 20,
    seed: opts.seed ?? 1,
    backend: opts.backend ?? 'auto',
  };
  checkPort(opts.port);
  if (opts.signal?.aborted) throw new CancelledError('browser profile cancelled before it started');
  const session = randomBytes(16).toString('hex');
  const files = await bundlePage('profile');
  files.set('/config.json', { body: JSON.stringify(cfg) });
  const statistic = opts.statistic ?? DEFAULT_STATISTIC;

  let settle!: { resolve: (r: BrowserProfileResult) => void; reject: (e: Error) => void };
  const done = new Promise<BrowserProfileResult>((resolve, reject) => (settle = { resolve, reject }));
  let finished = false;
  let connected = false;
  const api = (name: string) => `/api/${session}/${name}`;
  const server = await startLocalServer({
    port: opts.port,
    files,
    routes: {
      [api('progress')]: (body) => {
        const p = body as ProfileProgress;
        if (!connected) {
          connected = true;
          opts.log?.('a browser opened the page and is measuring');
        }
        if ((p.phase === 'build' || p.phase === 'measure') && Number.isFinite(p.done) && Number.isFinite(p.total)) opts.onProgress?.(p);
        return { ok: true };
      },
      [api('measurement')]: (body) => {
        if (finished) throw new InvalidInputError('a measurement was already received from another page; this one is not used');
        const { m, posted } = parseBrowserMeasurement(body, space, cfg);
        const labels = browserTableLabels(posted);
        const result = summariseMeasurement(m, { ...labels, device: opts.device ?? labels.device, statistic, source: 'spnas profile --target browser' });
        finished = true;
        settle.resolve({ ...result, backend: posted.backend, backendDetail: posted.backendDetail, userAgent: posted.userAgent });
        return { ok: true, statistic, out: opts.out ?? 'the table' };
      },
      [api('failure')]: (body) => {
        const message = String((body as { message?: unknown })?.message ?? 'unknown error').slice(0, 2000);
        if (!finished) {
          finished = true;
          settle.reject(new SpnasError('BROWSER_PAGE_FAILED', `the profiling page failed in the browser: ${message}`));
        }
        return { ok: true };
      },
    },
  });
  const onAbort = () => {
    if (finished) return;
    finished = true;
    settle.reject(new CancelledError('browser profile cancelled'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    opts.onListening?.(`${server.url}?session=${session}`);
    return await done;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    // Let the page read the answer to its last post before the server goes away.
    await new Promise((r) => setTimeout(r, 200));
    await server.close();
  }
}
