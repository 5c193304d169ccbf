/**
 * Corrupt and hostile files given to the CLI: each is refused before any compute with a typed error
 * that names the file (and the field), never a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { architectureFromString, largestArchitecture } from '../../src/space/architecture';
import { buildChild } from '../../src/nas/child-builder';
import { exportModel } from '../../src/nas/model-export';
import { LocalStore } from '../../src/storage/local-store';
import { CIFAR_DIR } from '../data/fixtures';
import { spnas } from '../support/run-cli';

const SHARD = path.join(CIFAR_DIR, 'train-000000.tar');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-hostile-'));
const tiny = getPreset('cifar-tiny');

/** Writes `content` (a string as is, anything else as JSON) to <root>/<name> and returns the path. */
function file(name: string, content: unknown): string {
  const p = path.join(root, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

function refused(args: string[], pattern: RegExp): void {
  const r = spnas(args, { timeoutMs: 120_000 });
  assert.equal(r.code, 1, `expected a clean failure for ${args.join(' ')}:\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  // the backend's own notice (e.g. a GPU binding with no device: docs/native-backend.md) may come first
  const own = r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('*** spnas:'))
    .join('\n');
  assert.match(own, new RegExp(`^spnas ${args[0]}: error \\[[A-Z_]+\\]: `), 'one typed error line');
  assert.doesNotMatch(r.stderr, /\n\s+at |TypeError|SyntaxError/, 'a clear message, not a stack trace');
}

const notJson = file('not-json.json', '{"name": "cifar-tiny", ');
const arch = architectureFromString(tiny, 'k3e3,skip,k5e6+se,skip,k3e6');

test('search: bad --space, --table and --config files, and a corrupt run.json in --out', () => {
  const search = (...extra: string[]) => ['search', '--data', SHARD, '--limit', '64', '--val-count', '16', '--out', path.join(root, 'search-out'), ...extra];
  refused(search('--space', notJson), /search-space spec '.*not-json\.json' is not valid JSON/);
  refused(
    search('--space', file('space-bad.json', { ...tiny, stages: [{ out: 0, stride: 3, layers: 1 }] })),
    /invalid search-space spec '.*space-bad\.json'.*stages\[0\]/s,
  );
  refused(search('--space', 'cifar-tiny', '--table', notJson), /latency table '.*not-json\.json' is not valid JSON/);
  const small = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'data', 'latency', 'cifar-small.json'), 'utf8'));
  refused(search('--space', 'cifar-tiny', '--table', file('table-other.json', small)), /latency table '.*table-other\.json'.*cifar-small/s);
  refused(search('--space', 'cifar-tiny', '--table', file('table-neg.json', { ...small, space: 'cifar-tiny', fixedMs: -3 })), /table-neg\.json.*fixedMs/s);
  refused(
    search('--space', 'cifar-tiny', '--config', file('config-null.json', 'null')),
    /search config '.*config-null\.json' must hold a JSON object, not null/,
  );
  refused(
    search('--space', 'cifar-tiny', '--config', file('config-bad.json', { epochs: 'many', optimizer: { momentum: 2 } })),
    /config-bad\.json.*epochs.*optimizer\.momentum/s,
  );
  file('search-out/run.json', '{"kind": "search", ');
  refused(search('--space', 'cifar-tiny'), /search-out\/run\.json is not valid JSON/);
});

test('train: bad --arch, --space and --config files, a corrupt run.json beside the architecture', () => {
  const out = path.join(root, 'train-out');
  refused(['train', '--arch', notJson, '--out', out], /architecture '.*not-json\.json' is not valid JSON/);
  const other = file('other/architecture.json', largestArchitecture(getPreset('cifar-small')));
  refused(['train', '--arch', other, '--space', 'cifar-tiny', '--data', SHARD, '--out', out], /architecture is for 'cifar-small', not 'cifar-tiny'/);
  const good = file('good/architecture.json', arch);
  refused(
    ['train', '--arch', good, '--space', file('space-null.json', 'null'), '--data', SHARD, '--out', out],
    /invalid search-space spec '.*space-null\.json'/,
  );
  refused(
    ['train', '--arch', good, '--space', 'cifar-tiny', '--data', SHARD, '--config', notJson, '--out', out],
    /train config '.*not-json\.json' is not valid JSON/,
  );
  // A search directory whose run.json is damaged: not JSON, or JSON of the wrong shape.
  file('broken/architecture.json', arch);
  file('broken/run.json', '{"kind": "search", "space": {');
  refused(['train', '--arch', path.join(root, 'broken'), '--out', out], /broken\/run\.json is not valid JSON/);
  file('broken/run.json', { kind: 'search', space: tiny, config: null });
  refused(['train', '--arch', path.join(root, 'broken'), '--out', out], /broken\/run\.json is not a search's run record.*config/s);
  file('broken/run.json', { kind: 'search', space: tiny, config: { seed: 1, runtimeLoss: { lambda: 'big' } } });
  refused(['train', '--arch', path.join(root, 'broken', 'architecture.json'), '--out', out], /broken\/run\.json config.*runtimeLoss\.lambda/s);
});

test('eval: a model whose model.json is malformed but hashes correctly', async () => {
  const { tf } = loadTf();
  const dir = path.join(root, 'model');
  const model = buildChild(tf, tiny, arch, { seed: 1 });
  await exportModel(tf, model, new LocalStore(dir), '', {
    space: tiny,
    architecture: arch,
    seed: 1,
    data: { uri: SHARD, limit: 64, valCount: 16, splitSeed: 0 },
    metrics: {},
  });
  model.dispose();
  const bad = Buffer.from(
    '{"format": "layers-model", "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": [{"name": "stem_conv/kernel", "shape": "3x3"',
  );
  fs.writeFileSync(path.join(dir, 'model.json'), bad);
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  Object.assign(
    m.files.find((f: { path: string }) => f.path === 'model.json'),
    { size: bad.byteLength, sha256: createHash('sha256').update(bad).digest('hex') },
  );
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  refused(['eval', '--model', dir], /error \[CORRUPT_ARTIFACT\]: model .*\/model: model\.json is not valid JSON/);
});

test.after(() => fs.rmSync(root, { recursive: true, force: true }));
