/**
 * Real headless Chromium for tests: Debian's /usr/bin/chromium (scripts/setup.d/chromium.sh) driven by
 * playwright-core over CDP. playwright-core never downloads a browser; we point it at the system one.
 *
 *   await withBrowser(async (b) => {
 *     const site = await b.serve(dir);                 // or any http://127.0.0.1 URL, or file://
 *     const page = await b.open(site.url + 'index.html');
 *     ...
 *     await b.screenshot(page, 'out.png');
 *     assert.deepEqual(b.consoleErrors, []);
 *     assert.deepEqual(b.offHostRequests(), []);        // nothing left this machine
 *   });
 *
 * Everything is closed in `finally`, the browser with a deadline after which its process is killed.
 * Each browser gets a fresh profile directory (playwright creates and removes it).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserServer, type Page, type Request } from 'playwright-core';
import { serveDirectory, type LocalServer } from '../../src/browser/local-server';

export const CHROMIUM = process.env.SPNAS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The flags that work on this closed network: without the background-networking ones Chromium keeps
 * trying to reach Google's hosts (refused here). --no-sandbox because tests run as root.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface RecordedRequest {
  url: string;
  method: string;
  resourceType: string;
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  /** console.error messages, uncaught page errors and failed requests, in order. */
  consoleErrors: string[];
  /** Every request any page of the context made (documents, scripts, fetches, workers). */
  requests: RecordedRequest[];
  /** Requests to anything but this machine (127.0.0.0/8, localhost, [::1]) or data:/blob:/file: URLs. */
  offHostRequests(): string[];
  /** A new page at `url`, waited for 'load'. */
  open(url: string): Promise<Page>;
  /** Serves `dir` on 127.0.0.1 (closed with the session). */
  serve(dir: string, opts?: { crossOriginIsolated?: boolean }): Promise<LocalServer>;
  /** Full-page PNG screenshot; creates the directory. */
  screenshot(page: Page, file: string): Promise<void>;
}

export interface BrowserOptions {
  /** Extra Chromium flags. */
  args?: string[];
  /** Milliseconds for each page action and navigation (default 60 s). */
  timeoutMs?: number;
}

/** True for URLs that stay on this machine. */
export function isLocalUrl(url: string): boolean {
  if (/^(data|blob|file|about|chrome-error):/.test(url)) return true;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** Launches Chromium, runs `fn`, and always closes the browser and every server it started. */
export async function withBrowser<T>(fn: (b: BrowserSession) => Promise<T>, opts: BrowserOptions = {}): Promise<T> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'bash scripts/setup.sh' (it installs Debian's chromium)`);
  // launchServer, not launch: its handle can kill the Chromium process if a close ever hangs.
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(opts.args ?? [])],
    host: '127.0.0.1',
    timeout: 60_000,
  });
  const servers: LocalServer[] = [];
  let browser: Browser | undefined;
  try {
    browser = await chromium.connect(server.wsEndpoint(), { timeout: 60_000 });
    const context = await browser.newContext();
    context.setDefaultTimeout(opts.timeoutMs ?? 60_000);
    const consoleErrors: string[] = [];
    const requests: RecordedRequest[] = [];
    context.on('request', (r: Request) => requests.push({ url: r.url(), method: r.method(), resourceType: r.resourceType() }));
    context.on('requestfailed', (r: Request) => consoleErrors.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? '?'})`));
    context.on('page', (page) => {
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    });
    const session: BrowserSession = {
      browser,
      context,
      consoleErrors,
      requests,
      offHostRequests: () => requests.map((r) => r.url).filter((u) => !isLocalUrl(u)),
      async open(url) {
        const page = await context.newPage();
        await page.goto(url, { waitUntil: 'load' });
        return page;
      },
      async serve(dir, o = {}) {
        const s = await serveDirectory(dir, { crossOriginIsolated: o.crossOriginIsolated ?? false });
        servers.push(s);
        return s;
      },
      async screenshot(page, file) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        await page.screenshot({ path: file, fullPage: true });
      },
    };
    return await fn(session);
  } finally {
    await closeWithDeadline(browser, server, 15_000);
    await Promise.all(servers.map((s) => s.close()));
  }
}

async function closeWithDeadline(browser: Browser | undefined, server: BrowserServer, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server.close();
    return 'closed' as const;
  };
  try {
    if ((await Promise.race([close(), deadline])) === 'late') await server.kill();
  } finally {
    clearTimeout(timer);
  }
}

export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/*
 * Page-side code below is written as functions (a string would be eval'd, which spnas's pages forbid
 * by Content-Security-Policy) over a minimal typing of the DOM: tests compile without the DOM library.
 */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: unknown[], name: string, opts: { type: string }) => unknown;
  atob(b64: string): string;
}

/** Drops files on the element at `selector` as a user's drag-and-drop would (a 'drop' event with a DataTransfer). */
export async function dropFiles(page: Page, selector: string, files: FilePayload[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.mimeType, b64: f.buffer.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((fs) => {
    const g = globalThis as unknown as PageGlobals;
    const d = new g.DataTransfer();
    for (const f of fs) d.items.add(new g.File([Uint8Array.from(g.atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    return d;
  }, payload);
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/** Waits until at least `count` elements match `selector`. */
export async function waitForCount(page: Page, selector: string, count: number, timeoutMs = 120_000): Promise<void> {
  await page.waitForFunction(([sel, n]) => (globalThis as unknown as PageGlobals).document.querySelectorAll(sel).length >= n, [selector, count] as const, {
    timeout: timeoutMs,
  });
}

export interface RunningCli {
  /** Resolves with the first match of `re` in stderr; rejects if the process exits first or after `timeoutMs`. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exit: Promise<{ code: number; stdout: string; stderr: string }>;
  /** Sends a signal, SIGKILL by default (no-op once exited). */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts `spnas <args>` in the background (a command that serves a page and waits for a browser, say).
 * The caller must kill() it in `finally`.
 */
export function spawnSpnas(args: string[], repo: string, env: Record<string, string> = {}): RunningCli {
  const cp = spawn(process.execPath, [path.join(repo, 'bin', 'spnas.js'), ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...env },
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  cp.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  cp.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    listeners.forEach((l) => l());
  });
  const exit = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    cp.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  let exited = false;
  void exit.then(() => (exited = true));
  return {
    exit,
    kill: (signal = 'SIGKILL') => {
      if (!exited) cp.kill(signal);
    },
    waitForStderr: (re, timeoutMs = 180_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(stderr);
          if (m) done(() => resolve(m));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`spnas ${args[0]}: no ${re} on stderr within ${timeoutMs / 1000} s:\n${stderr}`))),
          timeoutMs,
        );
        const done = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        void exit.then((r) => done(() => reject(new Error(`spnas ${args[0]} exited (${r.code}) before printing ${re}:\n${r.stderr}`))));
        check();
      }),
  };
}
