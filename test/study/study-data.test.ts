// A study's data plan wired end to end: the spec sizes it (zod), prepareStudy makes and stores it once,
// and the images the real loaders decode for trials and for the final phase are disjoint where they
// must be. The first test reproduces the overlap of the split form (issue 22) and fails on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataRanges, type DataSpec } from '../../src/config/data-spec';
import { permutationSplitIndices, type ImageDataset } from '../../src/data/dataset';
import { mulberry32 } from '../../src/random';
import { getPreset } from '../../src/space/presets';
import { makeDataPlan } from '../../src/study/data-plan';
import { studyLayout } from '../../src/study/names';
import { parseStudySpec, type StudySpecInput } from '../../src/study/spec';
import { dataPlanCounts, selectionImagesFor, studyData } from '../../src/study/study-data';
import { loadSplits } from '../../src/usecases/datasets';
import { prepareStudy } from '../../src/usecases/prepare-study';
import { resolveStudySpecFile } from '../../src/cli/study-spec-file';
import { writeShards } from '../data/fixtures';
import { tempDir } from '../support/temp-dir';

const ROOT = join(__dirname, '..', '..');

/** Source indices of a data spec's training and held-out images, from its permutation (no decoding). */
function indicesOf(d: DataSpec, sourceSize: number): { train: Int32Array; val: Int32Array } {
  const r = dataRanges(d);
  const total = r.total ?? sourceSize;
  return permutationSplitIndices({ total, seed: r.seed, train: r.train === 'rest' ? [r.val[1], total] : r.train, val: r.val });
}
const common = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const s = new Set(Array.from(a));
  return Array.from(b).filter((i) => s.has(i)).length;
};

test("the example study's trials never see the final test images (the split form overlapped: 248 + 50 images)", () => {
  // The example as it was: trials on a 3,000-image prefix split 2,500/500, the final model on 50,000 split 45,000/5,000, both seed 0.
  const old: StudySpecInput = {
    name: 'old',
    storage: '/tmp/x',
    space: 'cifar-small',
    data: { train: { uri: '/d', limit: 3000, valCount: 500 } },
    budget: { final: { data: { uri: '/d', limit: 50000, valCount: 5000 } } },
  };
  const trial = indicesOf({ uri: '/d', limit: 3000, valCount: 500, splitSeed: 0 }, 50000);
  const finalTest = indicesOf({ uri: '/d', limit: 50000, valCount: 5000, splitSeed: 0 }, 50000).val;
  assert.deepEqual([common(finalTest, trial.train), common(finalTest, trial.val)], [248, 50], 'the overlap issue 22 measured');
  assert.throws(() => parseStudySpec(old), /budget\.final\.data: splits the trials' source \/d another way.*Give data\.plan instead/s);

  // The example now: one plan, and what the workflow hands its activities (studyData) is disjoint.
  const spec = parseStudySpec(resolveStudySpecFile(join(ROOT, 'examples', 'study.json')));
  const counts = dataPlanCounts(spec)!;
  assert.equal(counts.selectionImages, 2401, '+-2 pp at 95% needs 2,401 images');
  const data = studyData(spec, { uri: 'plan', plan: makeDataPlan(counts) });
  const t = indicesOf(data.trial, 50000);
  const f = indicesOf(data.final, 50000);
  assert.deepEqual([t.train.length, t.val.length, f.train.length, f.val.length], [2500, 2401, 45000, 5000]);
  assert.deepEqual([common(f.val, t.train), common(f.val, t.val), common(f.val, f.train), common(t.val, t.train)], [0, 0, 0, 0]);
});

test('the spec sizes the plan from the resolution and refuses a plan the data cannot hold, naming the fix', () => {
  const base = {
    name: 's',
    storage: '/tmp/x',
    space: 'cifar-tiny',
    data: { train: { uri: '/d', limit: 10000 }, plan: { testImages: 2000, trialTrainImages: 3000 } },
    objectives: { resolution: 2 },
  };
  assert.equal(dataPlanCounts(parseStudySpec(base))!.selectionImages, selectionImagesFor(2));
  const refused = (over: Record<string, unknown>, re: RegExp) => assert.throws(() => parseStudySpec({ ...base, ...over }), re);
  refused(
    { objectives: { resolution: 1 } },
    /data\.plan: the data cannot hold it: test 2000 \+ selection 9604 \(objectives\.resolution 1 pp\) \+ trial training 3000 = 14604 images, more than the 10000/,
  );
  refused({ objectives: {} }, /objectives\.resolution: is required with data\.plan/);
  refused({ data: { ...base.data, plan: { ...base.data.plan, selectionImages: 500 } } }, /objectives\.resolution: and data\.plan\.selectionImages both size/);
  refused({ data: { ...base.data, train: { uri: '/d' } } }, /data\.train\.limit: is required with data\.plan/);
  refused({ data: { ...base.data, train: { uri: '/d', limit: 10000, valCount: 500 } } }, /data\.train\.valCount: is not used with data\.plan/);
  refused({ budget: { final: { data: { uri: '/d', valCount: 10 } } } }, /budget\.final\.data: is not used with data\.plan/);
  refused(
    { data: { train: { uri: '/d', limit: 100, valCount: 10 } } },
    /objectives\.resolution: sizes the selection split of a data plan: give data\.plan too/,
  );
  refused(
    { data: { ...base.data, plan: { ...base.data.plan, finalTrainImages: 9000 } } },
    /finalTrainImages: is more than the 8000 images outside the test split/,
  );
  // the split form without a separate final split keeps working (recorded studies replay with it)
  assert.equal(dataPlanCounts(parseStudySpec({ ...base, data: { train: { uri: '/d', limit: 100, valCount: 10 } }, objectives: {} })), undefined);
});

/** Source indices the loader decoded: the fixture's green channel is the source index. */
const decoded = (ds: ImageDataset) => Int32Array.from({ length: ds.size }, (_, r) => ds.images[r * ds.height * ds.width * ds.channels + 1]!);

test('over random budgets and seeds, what the loaders read for trials and for the final phase is disjoint by construction', async () => {
  const dir = tempDir('spnas-study-data-');
  const shards = join(dir, 'shards');
  writeShards(shards, 2, 128); // 256 PNGs: green = source index
  const space = getPreset('cifar-tiny');
  const rand = mulberry32(22);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  let planned = 0;
  let refused = 0;
  for (let k = 0; k < 24; k++) {
    const total = int(40, 256);
    const byResolution = rand() < 0.5;
    const raw = {
      name: `p${k}`,
      storage: join(dir, 'store'),
      space: 'cifar-tiny',
      data: {
        train: { uri: shards, limit: total },
        plan: {
          seed: int(0, 1e6),
          testImages: int(1, total / 2),
          trialTrainImages: int(8, total / 2),
          ...(byResolution ? {} : { selectionImages: int(1, total / 2) }),
          ...(rand() < 0.5 ? { finalTrainImages: int(1, total / 2) } : {}),
        },
      },
      objectives: byResolution ? { resolution: 8 + rand() * 30 } : {},
      budget: { batchSize: 8 },
    };
    const counts = (() => {
      try {
        return dataPlanCounts(parseStudySpec(raw))!;
      } catch (err) {
        assert.match(String(err), /the data cannot hold it|finalTrainImages: is more than/, JSON.stringify(raw));
        refused++;
        return undefined;
      }
    })();
    if (!counts) continue;
    planned++;
    const prepared = await prepareStudy(raw);
    const again = await prepareStudy(raw); // a retried prepare finds the same plan
    assert.deepEqual(again.data, prepared.data);
    const stored = JSON.parse(readFileSync(studyLayout.dataPlan(prepared.studyRoot), 'utf8')) as { trial: DataSpec; final: DataSpec };
    assert.deepEqual([stored.trial, stored.final], [prepared.data!.trial, prepared.data!.final], 'the activities read the stored plan');
    const trial = await loadSplits(space, prepared.data!.trial);
    const final = await loadSplits(space, prepared.data!.final);
    const [tt, ts, ft, fx] = [decoded(trial.train), decoded(trial.val), decoded(final.train), decoded(final.val)];
    const ctx = JSON.stringify(counts);
    assert.deepEqual([tt.length, ts.length, fx.length], [counts.trialTrainImages, counts.selectionImages, counts.testImages], ctx);
    assert.equal(ft.length, counts.finalTrainImages ?? total - counts.testImages, ctx);
    assert.equal(common(fx, tt), 0, `a trial trained on a test image ${ctx}`);
    assert.equal(common(fx, ts), 0, `a trial was scored on a test image ${ctx}`);
    assert.equal(common(fx, ft), 0, `the final model trained on a test image ${ctx}`);
    assert.equal(common(ts, tt), 0, `a trial trained on a selection image ${ctx}`);
    assert.ok(
      [tt, ts, ft, fx].every((ix) => ix.every((i) => i < total)),
      `only the first ${total} source images ${ctx}`,
    );
  }
  assert.ok(planned >= 10 && refused >= 1, `${planned} plans made, ${refused} refused`);
});

test('a plan over more images than the source has is refused when the study is prepared, before any compute', async () => {
  const dir = tempDir('spnas-study-data-');
  const shards = join(dir, 'shards');
  writeShards(shards, 1, 50);
  const raw = {
    name: 'short',
    storage: join(dir, 'store'),
    space: 'cifar-tiny',
    data: { train: { uri: shards, limit: 80 }, plan: { testImages: 10, trialTrainImages: 40, selectionImages: 20 } },
    budget: { batchSize: 8 },
  };
  await assert.rejects(prepareStudy(raw), /data\.train\.limit 80: the data plan covers the first 80 images of .* but it has 50; plan for at most 50 images/);
});
