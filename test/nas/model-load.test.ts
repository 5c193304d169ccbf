import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { parseSearchSpace } from '../../src/space/spec';
import { architectureFromString, largestArchitecture } from '../../src/space/architecture';
import { buildChild } from '../../src/nas/child-builder';
import { exportModel, loadModel } from '../../src/nas/model-export';
import { LocalStore } from '../../src/storage/local-store';
import { SpnasError } from '../../src/errors';

const { tf } = loadTf();
const space = getPreset('cifar-tiny');
const arch = architectureFromString(space, 'k5e6+se,skip,k3e3,k3e6,k5e3');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-model-load-'));
const original = path.join(root, 'original');
const SHARD = 'group1-shard1of1.bin';

const load = (dir: string) => loadModel(tf, new LocalStore(dir), '', (v) => parseSearchSpace(v, 'space'));

/** A copy of the exported model, changed by `tamper`, with the manifest left as exported. */
function tampered(name: string, tamper: (dir: string) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(original, dir, { recursive: true });
  tamper(dir);
  return dir;
}

/** Rewrites a file and updates its size and sha256 in the manifest: tampering that hashes cannot catch. */
function rewrite(dir: string, file: string, data: string | Buffer): void {
  fs.writeFileSync(path.join(dir, file), data);
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const buf = fs.readFileSync(path.join(dir, file));
  const entry = m.files.find((f: { path: string }) => f.path === file);
  entry.size = buf.byteLength;
  entry.sha256 = createHash('sha256').update(buf).digest('hex');
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tampering edits arbitrary JSON
function editJson(dir: string, file: string, edit: (v: any) => unknown): void {
  rewrite(dir, file, JSON.stringify(edit(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')))));
}

/** loadModel must refuse with a typed error naming the model directory and what is wrong (no TypeError). */
async function refused(dir: string, code: string, why: RegExp): Promise<void> {
  await assert.rejects(load(dir), (e: unknown) => {
    assert.ok(e instanceof SpnasError, `a typed error, not ${String((e as Error)?.stack ?? e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(dir), `names the model directory: ${e.message}`);
    assert.match(e.message, why);
    return true;
  });
}

test('exported model loads back with identical predictions', async () => {
  const model = buildChild(tf, space, arch, { seed: 4 });
  await exportModel(tf, model, new LocalStore(original), '', {
    space,
    architecture: arch,
    seed: 4,
    data: { uri: 'x' },
    metrics: { valTop1: 0.5, latencyBackend: 'tensorflow' },
  });
  const { model: back, meta } = await load(original);
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3);
  const [a, b] = [model.predict(x) as TF.Tensor, back.predict(x) as TF.Tensor];
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  assert.deepEqual(meta.architecture, arch);
  assert.equal(meta.metrics.latencyBackend, 'tensorflow');
  tf.dispose([x, a, b]);
  model.dispose();
  back.dispose();
});

test('tampered model directories are refused with a clear error', async () => {
  await refused(
    tampered('flipped', (d) => {
      const p = path.join(d, SHARD);
      const b = fs.readFileSync(p);
      b[100]! ^= 1;
      fs.writeFileSync(p, b);
    }),
    'CORRUPT_ARTIFACT',
    /sha256 .* does not match/,
  );
  await refused(
    tampered('no-shard', (d) => fs.rmSync(path.join(d, SHARD))),
    'CORRUPT_ARTIFACT',
    new RegExp(`'${SHARD}' is listed in its manifest but missing`),
  );
  await refused(
    tampered('bad-json', (d) => rewrite(d, 'model.json', '{"weightsManifest": [')),
    'CORRUPT_ARTIFACT',
    /model\.json is not valid JSON/,
  );
  await refused(
    tampered('bad-schema', (d) => editJson(d, 'model.json', (m) => ({ ...m, weightsManifest: { paths: 'x' } }))),
    'CORRUPT_ARTIFACT',
    /model\.json.*weightsManifest/s,
  );
  await refused(
    tampered('bad-shape', (d) =>
      editJson(d, 'model.json', (m) => {
        const w = m.weightsManifest[0].weights.find((x: { name: string }) => x.name === 'stem_conv/kernel');
        w.shape = [...w.shape].reverse(); // same size, other layout
        return m;
      }),
    ),
    'CORRUPT_ARTIFACT',
    /'stem_conv\/kernel' \[8,3,3,3\] has the wrong shape \(the architecture's network has \[3,3,3,8\]\)/,
  );
  await refused(
    tampered('extra-bytes', (d) => rewrite(d, SHARD, Buffer.concat([fs.readFileSync(path.join(d, SHARD)), Buffer.alloc(8)]))),
    'CORRUPT_ARTIFACT',
    /lists \d+ bytes of weights, the shards hold \d+/,
  );
  await refused(
    tampered('nan', (d) => {
      const b = fs.readFileSync(path.join(d, SHARD));
      b.writeFloatLE(NaN, 0);
      rewrite(d, SHARD, b);
    }),
    'CORRUPT_ARTIFACT',
    /holds NaN or infinite values/,
  );
  await refused(
    tampered('bad-manifest', (d) => fs.writeFileSync(path.join(d, 'manifest.json'), '{"format":')),
    'CORRUPT_MANIFEST',
    /not JSON/,
  );
  await refused(
    tampered('null-meta', (d) => {
      const m = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
      m.meta = null;
      fs.writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m));
    }),
    'CORRUPT_ARTIFACT',
    /manifest meta/,
  );
});

test('an architecture of another space, or one the weights do not fit, is refused', async () => {
  const small = getPreset('cifar-small');
  await refused(
    tampered('other-space', (d) => rewrite(d, 'architecture.json', JSON.stringify(largestArchitecture(small)))),
    'CORRUPT_ARTIFACT',
    /architecture\.json.*'cifar-small', not 'cifar-tiny'/s,
  );
  await refused(
    tampered('disagree', (d) => rewrite(d, 'architecture.json', JSON.stringify(largestArchitecture(space)))),
    'CORRUPT_ARTIFACT',
    /architecture\.json and the manifest name different architectures/,
  );
  // Architecture changed consistently in both places: the stored weights no longer fit the network.
  await refused(
    tampered('consistent', (d) => {
      const other = largestArchitecture(space);
      rewrite(d, 'architecture.json', JSON.stringify(other));
      const m = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
      m.meta.architecture = other;
      fs.writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m));
    }),
    'CORRUPT_ARTIFACT',
    /weight '[a-z0-9_]+\/[a-z_]+' .*(wrong shape|not in the architecture's network)/,
  );
  // The space in the manifest replaced by another (valid) space: the architecture does not belong to it.
  await refused(
    tampered('meta-space', (d) => {
      const m = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
      m.meta.space = small;
      fs.writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m));
    }),
    'CORRUPT_ARTIFACT',
    /architecture is for 'cifar-tiny', not 'cifar-small'/,
  );
});

test.after(() => fs.rmSync(root, { recursive: true, force: true }));
