// The workflow bundle the workers load (src/temporal/workers.ts): its size and which of the project's
// modules it carries. Workflow code should carry only what it runs; the samplers' GP, L-BFGS and Sobol
// code runs in the proposal activity, never in a workflow (docs/architecture.md, issue 23).
// Run: node --import tsx bench/orchestration/workflow-bundle.ts [--out bench/orchestration/results/workflow-bundle.json]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { workflowBundle } from '../../src/temporal/workers';

const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1]! : 'bench/orchestration/results/workflow-bundle.json';
const root = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const { code } = await workflowBundle();
  // The bundle ends with an inline source map (sources included): measure the code without it too.
  const mapAt = code.lastIndexOf('//# sourceMappingURL=');
  const js = mapAt >= 0 ? code.slice(0, mapAt) : code;
  // webpack's development build keys each module by its path relative to the repository.
  const ids = [...new Set([...js.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]!))].sort();
  const own = ids.filter((id) => id.startsWith('./') && !id.includes('node_modules/')).map((id) => id.slice(2));
  const lines = (id: string) => readFileSync(path.join(root, id), 'utf8').split('\n').length;
  const hpo = own.filter((id) => id.startsWith('src/hpo/'));
  const result = {
    bytes: code.length,
    bytesWithoutSourceMap: js.length,
    modules: ids.length,
    projectModules: own.length,
    projectLines: own.reduce((a, id) => a + lines(id), 0),
    hpoModules: hpo,
    hpoLines: hpo.reduce((a, id) => a + lines(id), 0),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
}

void main();
