/** `spnas export --web <dir> --serve`: serves a written page on 127.0.0.1 until cancelled. */
import { serveDirectory } from './local-server';

export async function serveWebPage(dir: string, opts: { port?: number; signal: AbortSignal; onListening?: (url: string) => void }): Promise<void> {
  const server = await serveDirectory(dir, { port: opts.port, crossOriginIsolated: true });
  try {
    opts.onListening?.(server.url);
    if (!opts.signal.aborted) await new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await server.close();
  }
}
