/** Log lines across a reconnect: nothing lost, nothing repeated, equal timestamps included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogLineFilter, timestampKey } from '../../src/k8s/pod-logs';

const T1 = '2026-11-29T10:00:01.500000000Z';
const T2 = '2026-11-29T10:00:01.5Z'; // the same instant, written shorter
const T3 = '2026-11-29T10:00:02.25Z';

test('within one stream every line is delivered, also lines with equal timestamps', () => {
  const f = new LogLineFilter();
  const got = [`${T1} a`, `${T1} b`, `${T3} c`].map((l) => f.accept(l)?.line);
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.deepEqual(f.position, { ts: T3, count: 1 });
});

test('a reconnect replaying from sinceTime skips exactly what was delivered before', () => {
  const first = new LogLineFilter();
  for (const l of [`2026-11-29T10:00:01.1Z x`, `${T1} a`, `${T1} b`]) first.accept(l);
  assert.deepEqual(first.position, { ts: T1, count: 2 });
  // the server resends the whole second: x, a, b again, then c (same timestamp as a and b), then d
  const second = new LogLineFilter(first.position);
  const got = [`2026-11-29T10:00:01.1Z x`, `${T1} a`, `${T1} b`, `${T1} c`, `${T3} d`].map((l) => second.accept(l)?.line ?? null);
  assert.deepEqual(got, [null, null, null, 'c', 'd']);
});

test('timestamps compare as instants whatever their fraction length', () => {
  assert.equal(timestampKey(T1), timestampKey(T2));
  assert.ok(timestampKey('2026-11-29T10:00:01.9Z') > timestampKey('2026-11-29T10:00:01.123456789Z'));
  assert.ok(timestampKey('2026-11-29T10:00:02Z') > timestampKey('2026-11-29T10:00:01.999Z'));
});
