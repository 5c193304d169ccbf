// The study's ledger releases finished trials that no front can include again, so the state the
// workflow carries across continue-as-new is bounded. Releasing must not change anything the study
// reports: front, selection, hypervolume, counts, the samplers' outcomes. Checked against a naive
// ledger that keeps every record, over random studies with ties, failures and multi-fidelity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hypervolume2d, paretoFront2d, selectForLatencyTarget } from '../../src/hpo/pareto';
import { Rng } from '../../src/random';
import type { TrialRecord, TrialResult } from '../../src/study/records';
import { StudyBook, type StudyBookOptions } from '../../src/study/study-book';

function result(top1: number, ms: number): TrialResult {
  return {
    architecture: `arch-${top1}-${ms}`,
    predictedMs: ms,
    top1,
    supernetTop1: top1,
    macs: 1,
    search: 's',
    train: 't',
    model: 'm',
    trace: 'x',
    searchStartStep: 0,
    seconds: { search: 1, retrain: 2, evaluate: 3 },
  };
}

/** What the book must report, recomputed from every record. */
function naive(records: TrialRecord[], o: StudyBookOptions) {
  const ok = records.filter((r) => r.state === 'ok');
  const full = ok.filter((r) => r.fidelity >= 1);
  const c = o.multiFidelity && full.length ? full : ok;
  const pts = c.map((r) => [r.result!.top1, r.latencyMs!]);
  const front = paretoFront2d(pts, ['maximize', 'minimize']).map((i) => c[i]!.trialId);
  const sel = c.length
    ? selectForLatencyTarget(
        c.map((t) => ({ accuracy: t.result!.top1, latencyMs: t.latencyMs!, t })),
        o.targetMs,
      )
    : undefined;
  return {
    front,
    selected: sel ? (sel.met ? sel.model.t.trialId : sel.fastest.t.trialId) : undefined,
    hv: c.length ? hypervolume2d(pts, [0, 1.5 * o.largestMs], ['maximize', 'minimize']) : 0,
    ok: ok.length,
    failed: records.filter((r) => r.state === 'failed').length,
  };
}

for (const multiFidelity of [false, true]) {
  test(`releasing finished records changes nothing the study reports (multiFidelity ${multiFidelity})`, () => {
    for (let seed = 0; seed < 20; seed++) {
      const rng = new Rng(seed);
      const o: StudyBookOptions = { latency: 'predicted', targetMs: 20, largestMs: 40, multiFidelity };
      let book = new StudyBook(o);
      const all = new Map<number, TrialRecord>();
      const running: number[] = [];
      let next = 0;
      for (let step = 0; step < 120; step++) {
        if (running.length < 4 && (rng.next() < 0.6 || running.length === 0)) {
          const trialId = next++;
          const configId = multiFidelity && trialId > 3 && rng.next() < 0.3 ? Math.floor(rng.next() * trialId) : trialId;
          const t = { trialId, configId, fidelity: multiFidelity ? [0.25, 0.5, 1][Math.floor(rng.next() * 3)]! : 1, params: { lambda: rng.next() } };
          book.start(t, step);
          all.set(trialId, { ...t, state: 'running', startedAt: step });
          running.push(trialId);
          continue;
        }
        const id = running.splice(Math.floor(rng.next() * running.length), 1)[0]!;
        // quantised values: ties and duplicate points happen
        const done =
          rng.next() < 0.15
            ? book.fail(id, { type: 'NAN_LOSS', message: 'x' }, step)
            : book.finish(id, result(Math.round(rng.next() * 10) / 10, 5 + Math.round(rng.next() * 8) * 5), step);
        all.set(id, done);
        const outcome = book.outcomeOf(done, false);
        assert.equal(outcome.status, done.state === 'ok' ? 'ok' : 'failed');
        if (step % 17 === 0) book = new StudyBook(o, JSON.parse(JSON.stringify(book.toJSON()))); // continue-as-new
        const want = naive([...all.values()], o);
        const s = book.status({ study: 's', state: 'running', planned: 0, parallelism: 4, startedAt: 0, now: step });
        assert.deepEqual(
          s.front.map((m) => m.trialId),
          want.front,
          `seed ${seed} step ${step}`,
        );
        assert.equal(book.selected()?.member.trialId, want.selected);
        assert.equal(book.currentHypervolume(), want.hv);
        assert.deepEqual([s.trials.ok, s.trials.failed, s.trials.running, s.trials.total], [want.ok, want.failed, running.length, all.size]);
        for (const m of s.front) assert.ok(book.get(m.trialId), 'front members stay in the book (the final phase reads them)');
        const final = book.finalMembers(3).map((m) => m.trialId);
        for (const id of final) assert.ok(book.get(id), `final member ${id} is in the book`);
        assert.equal(new Set(final).size, final.length, 'no member retrained twice');
        if (book.selected()?.met) assert.equal(final[0], want.selected);
        for (const r of all.values()) assert.ok(book.hasConfig(r.configId!));
        // bounded: only running trials and the fronts' members are kept
        const live = book.liveRecords();
        assert.ok(live.length <= running.length + 2 * s.front.length + (multiFidelity ? want.ok : 0), `${live.length} live records`);
        assert.ok(live.every((r) => r.state !== 'failed'));
      }
    }
  });
}

test('the carried state of a long study stays small: 2,000 trials, one front', () => {
  const o: StudyBookOptions = { latency: 'predicted', targetMs: 20, largestMs: 40, multiFidelity: false };
  const book = new StudyBook(o);
  const rng = new Rng(7);
  for (let id = 0; id < 2000; id++) {
    book.start({ trialId: id, fidelity: 1, params: { lambda: rng.next() } }, id);
    book.finish(id, result(rng.next(), 5 + 35 * rng.next()), id);
  }
  const state = book.toJSON();
  const front = book.front().length;
  assert.equal(state.trials.length, front);
  assert.equal(state.finished!.ok, 2000);
  // records are ~1 KB each; the whole carry (with the hypervolume curve) stays far below Temporal's 2 MB payload limit
  assert.ok(JSON.stringify(state).length < 200_000, `${JSON.stringify(state).length} bytes for ${front} front members`);
});

test('the final phase retrains the member selected at the latency target first, then the front by accuracy', () => {
  const o: StudyBookOptions = { latency: 'predicted', targetMs: 20, largestMs: 40, multiFidelity: false };
  const book = new StudyBook(o);
  // front: 0 (60%, 30 ms: above the target), 1 (55%, 19 ms: selected), 2 (40%, 10 ms); 3 is dominated
  const points: [number, number][] = [
    [0.6, 30],
    [0.55, 19],
    [0.4, 10],
    [0.35, 25],
  ];
  points.forEach(([top1, ms], id) => {
    book.start({ trialId: id, fidelity: 1, params: {} }, id);
    book.finish(id, result(top1, ms), id);
  });
  const ids = (n: number) => book.finalMembers(n).map((m) => m.trialId);
  assert.deepEqual(ids(1), [1]);
  assert.deepEqual(ids(2), [1, 0]);
  assert.deepEqual(ids(5), [1, 0, 2]);
  assert.deepEqual(ids(0), []);

  // no member meets the target: the front's most accurate first
  const strict = new StudyBook({ ...o, targetMs: 5 });
  points.forEach(([top1, ms], id) => {
    strict.start({ trialId: id, fidelity: 1, params: {} }, id);
    strict.finish(id, result(top1, ms), id);
  });
  assert.equal(strict.selected()?.met, false);
  assert.deepEqual(
    strict.finalMembers(2).map((m) => m.trialId),
    [0, 1],
  );
});

test('a cancelled trial is counted apart, released at once, a failure to the sampler, and survives the carry', () => {
  const o: StudyBookOptions = { latency: 'predicted', targetMs: 20, largestMs: 40, multiFidelity: false };
  const book = new StudyBook(o);
  book.start({ trialId: 0, fidelity: 1, params: { lambda: 3 } }, 0);
  book.start({ trialId: 1, fidelity: 1, params: {} }, 0);
  book.finish(1, result(0.5, 10), 1);
  const cancelled = book.cancel(0, 'its trial workflow was cancelled', 2);
  assert.equal(cancelled.state, 'cancelled');
  assert.deepEqual(book.outcomeOf(cancelled, false), { status: 'failed', reason: 'CANCELLED: its trial workflow was cancelled' });
  assert.equal(book.get(0), undefined);
  const status = (b: StudyBook) => b.status({ study: 's', state: 'running', planned: 1, parallelism: 1, startedAt: 0, now: 3 });
  assert.deepEqual(status(book).trials, { total: 2, running: 0, ok: 1, failed: 0, cancelled: 1, planned: 1 });
  assert.deepEqual(status(book).runningTrials, []);
  assert.equal(status(book).targetMs, 20);
  // across continue-as-new, and from a carry of before cancelled trials were counted
  assert.deepEqual(status(new StudyBook(o, JSON.parse(JSON.stringify(book.toJSON())))).trials, status(book).trials);
  const old = { ...book.toJSON(), finished: { ok: 1, failed: 0 } };
  assert.deepEqual(status(new StudyBook(o, old)).trials, { total: 1, running: 0, ok: 1, failed: 0, planned: 1 });
});
