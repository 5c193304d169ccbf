/** /healthz (the process answers) and /readyz (its workers are running) for Kubernetes probes. */
import * as http from 'node:http';

export async function startHealthServer(port: number, ready: () => boolean): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const ok = req.url === '/healthz' || (req.url === '/readyz' && ready());
    const known = req.url === '/healthz' || req.url === '/readyz';
    res.writeHead(known ? (ok ? 200 : 503) : 404, { 'content-type': 'text/plain' });
    res.end(known ? (ok ? 'ok\n' : 'not ready\n') : 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  return server;
}
