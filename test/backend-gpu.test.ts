// The GPU binding (@tensorflow/tfjs-node-gpu) on a machine without a GPU: it must build, load and run
// the engine's ops on the CPU device, and the automatic choice must say why it did not pick it.
// Where a CUDA device is visible is untested here (no GPU on the dev machines or CI).
// CI builds the GPU binding (.ci/run: SPNAS_GPU=1); after a plain set-up the test checks the refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindingBuilt, cudaDevice } from '../src/backend/tf';
import { CIFAR_DIR } from './data/fixtures';
import { jsonOut, spnas } from './support/run-cli';

test('a CUDA device is visible only through a /dev/nvidia<N> node, and CUDA_VISIBLE_DEVICES can hide it', () => {
  const dev = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-dev-'));
  assert.deepEqual(cudaDevice({}, dev).visible, false);
  assert.match(cudaDevice({}, dev).why, /no .*nvidia<N> device node/);
  fs.writeFileSync(path.join(dev, 'nvidiactl'), ''); // the driver's control node alone is no device
  assert.equal(cudaDevice({}, dev).visible, false);
  fs.writeFileSync(path.join(dev, 'nvidia0'), '');
  assert.equal(cudaDevice({}, dev).visible, true);
  assert.equal(cudaDevice({ CUDA_VISIBLE_DEVICES: '0' }, dev).visible, true);
  for (const hidden of ['', '-1']) {
    const c = cudaDevice({ CUDA_VISIBLE_DEVICES: hidden }, dev);
    assert.equal(c.visible, false);
    assert.match(c.why, /CUDA_VISIBLE_DEVICES/);
  }
  fs.rmSync(dev, { recursive: true, force: true });
});

const built = bindingBuilt('gpu');

if (!built) {
  test('GPU binding not built (plain set-up): SPNAS_TF_BACKEND=gpu is refused with the command that builds it', () => {
    const r = spnas(['backend', '--json'], { env: { SPNAS_TF_BACKEND: 'gpu' }, timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tfjs-node-gpu does not load.*SPNAS_GPU=1 bash scripts\/setup\.sh/);
  });
} else {
  test('SPNAS_TF_BACKEND=gpu with no CUDA device: the GPU binding loads, says why, and runs ops on the CPU device', () => {
    const r = spnas(['backend', '--json'], { env: { SPNAS_TF_BACKEND: 'gpu' }, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const b = jsonOut(r);
    assert.equal(b.kind, 'gpu');
    assert.equal(b.binding, '@tensorflow/tfjs-node-gpu');
    assert.equal(b.backend, 'tensorflow');
    assert.equal(b.libtensorflow, '2.18.0');
    assert.equal(b.device, 'cpu');
    assert.equal(b.opCheck, 'ok');
    assert.match(String(b.reason), /ops run on the CPU device: no \/dev\/nvidia<N> device node/);
    assert.match(r.stderr, /\*\*\* spnas: GPU binding loaded, but ops run on the CPU device/);
  });

  test('automatic choice with the GPU binding built and no CUDA device: the CPU binding, loudly', () => {
    const r = spnas(['backend', '--json'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const b = jsonOut(r);
    assert.equal(b.kind, 'cpu');
    assert.equal(b.binding, '@tensorflow/tfjs-node');
    assert.match(String(b.reason), /no CUDA device visible/);
    assert.match(r.stderr, /GPU binding is built but no CUDA device is visible/);
  });

  test('a search through the GPU binding (CPU device) equals the same search through the CPU binding', { timeout: 600_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-gpu-'));
    const args = (out: string) => [
      'search',
      '--space',
      'cifar-tiny',
      '--data',
      path.join(CIFAR_DIR, 'train-000000.tar'),
      '--limit',
      '192',
      '--val-count',
      '64',
      '--batch-size',
      '32',
      '--epochs',
      '2',
      '--warmup-epochs',
      '1',
      '--lambda',
      '2',
      '--out',
      path.join(dir, out),
      '--json',
    ];
    const results = (['gpu', 'cpu'] as const).map((kind) => {
      const r = spnas(args(kind), { env: { SPNAS_TF_BACKEND: kind }, timeoutMs: 280_000 });
      assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
      return jsonOut(r);
    });
    const [gpu, cpu] = results as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(gpu.architecture, cpu.architecture);
    assert.ok(Math.abs(Number(gpu.predictedMs) - Number(cpu.predictedMs)) <= 1e-6 * Number(cpu.predictedMs), `${gpu.predictedMs} vs ${cpu.predictedMs}`);
    assert.equal(gpu.supernetTop1, cpu.supernetTop1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
