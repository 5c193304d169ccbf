// What a browser posts to `spnas profile --target browser` is checked against the profile that was
// asked for, and summarised by the same code as a Node profile (one implementation, same table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../src/backend/tf';
import { browserName, browserTableLabels, parseBrowserMeasurement, type BrowserMeasurement } from '../../src/browser/profile-protocol';
import { measureSpace, summariseMeasurement, type ProfileMeasurement } from '../../src/profiler/profile-measure';
import { architectureToString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';

const space = getPreset('cifar-tiny');
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';

/** A real measurement (native backend, few rounds), posted as a page would post it; made once. */
let made: Promise<{ m: ProfileMeasurement; posted: BrowserMeasurement }> | undefined;
const realPost = () => (made ??= measure());

async function measure(): Promise<{ m: ProfileMeasurement; posted: BrowserMeasurement }> {
  const { tf } = loadTf();
  const m = await measureSpace(tf, space, 2, { repeats: 2, warmup: 1, samples: 3, seed: 5 });
  const posted: BrowserMeasurement = {
    backend: 'wasm',
    backendDetail: 'threaded SIMD binary, 2 threads',
    threads: 2,
    userAgent: UA,
    cores: 2,
    samples: m.samples,
    front: m.front,
    frontOverhead: m.frontOverhead,
    back: m.back,
    logitsOverhead: m.logitsOverhead,
    layers: m.layers,
    archs: m.archs.map((a) => ({ arch: architectureToString(a.arch), model: a.model })),
    repeats: m.repeats,
    warmup: m.warmup,
    seconds: m.seconds,
  };
  return { m, posted: JSON.parse(JSON.stringify(posted)) as BrowserMeasurement };
}

test('a posted measurement gives exactly the table the profiler computes from the same timings', async () => {
  const { m, posted } = await realPost();
  const parsed = parseBrowserMeasurement(posted, space, { repeats: 2, samples: 3 });
  const labels = { ...browserTableLabels(posted), source: 'test' };
  const fromPost = summariseMeasurement(parsed.m, labels);
  const direct = summariseMeasurement(m, labels);
  const strip = (t: typeof direct.table) => ({ ...t, meta: { ...t.meta, date: '' } });
  assert.deepEqual(strip(fromPost.table), strip(direct.table));
  assert.deepEqual(fromPost.report, direct.report);
  assert.equal(fromPost.report?.count, 3);
  assert.equal(fromPost.table.meta?.threads, 2);
  assert.equal(labels.device, 'tfjs wasm in Headless Chrome 156 (X11, Linux x86_64, 2 cores)');
  assert.equal(labels.backendLabel, 'tfjs wasm (browser: threaded SIMD binary, 2 threads)');
});

test('a measurement that does not fit the profile asked for is refused, naming what is wrong', async () => {
  const { posted } = await realPost();
  const refuse = (v: unknown, re: RegExp, expect = { repeats: 2, samples: 3 }) => assert.throws(() => parseBrowserMeasurement(v, space, expect), re);
  refuse({ ...posted, front: posted.samples.length }, /model index is out of range/);
  refuse({ ...posted, samples: posted.samples.map((s) => s.slice(1)) }, /every model needs 2 samples/);
  refuse(posted, /2 rounds timed, 5 asked for/, { repeats: 5, samples: 3 });
  refuse(posted, /3 architectures checked, 4 asked for/, { repeats: 2, samples: 4 });
  refuse({ ...posted, layers: posted.layers.slice(1) }, /4 layers, but space 'cifar-tiny' has 5/);
  refuse({ ...posted, layers: posted.layers.map((l) => ({ ...l, se: undefined })) }, /SE timings missing/);
  refuse({ ...posted, samples: [[-1, 1], ...posted.samples.slice(1)] }, /browser measurement.*samples/s);
  refuse({ ...posted, backend: 'metal' }, /backend/);
  refuse({ ...posted, archs: [{ arch: 'k9e9', model: 0 }, ...posted.archs.slice(1)] }, /k9e9/);
  refuse({ ...posted, extra: 1 }, /extra/);
});

test('browser names from user agents', () => {
  assert.equal(browserName(UA), 'Headless Chrome 156');
  assert.equal(browserName('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'), 'Firefox 140');
  assert.equal(
    browserName('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1'),
    'Safari 18',
  );
  assert.equal(
    browserName('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36'),
    'Chrome 156',
  );
});
