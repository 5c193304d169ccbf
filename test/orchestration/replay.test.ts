// Workflow determinism: the checked-in histories of real study runs (scripts/record-histories.ts)
// replay against the current workflow code. A change that would break running studies (a reordered
// activity, a new timer, a changed continue-as-new) fails here; such a change must be versioned with
// patched() or the histories re-recorded on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../../src/temporal/workers';

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');

interface Fixture {
  workflowId: string;
  workflowType: string;
  history: unknown;
}

function fixtures(): Fixture[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Fixture);
}

async function replayAll(items: Fixture[]): Promise<Array<{ workflowId: string; error?: unknown }>> {
  const results: Array<{ workflowId: string; error?: unknown }> = [];
  const histories = items.map((f) => ({ workflowId: f.workflowId, history: historyFromJSON(f.history) }));
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories))
    results.push({ workflowId: r.workflowId, ...(r.error ? { error: r.error } : {}) });
  return results;
}

const eventTypes = (f: Fixture) => ((f.history as { events: Array<{ eventType: string }> }).events ?? []).map((e) => e.eventType);

test('the fixtures cover studies, trials, continue-as-new, updates and a cancellation', () => {
  const all = fixtures();
  const studies = all.filter((f) => f.workflowType === 'StudyWorkflow');
  assert.ok(all.some((f) => f.workflowType === 'TrialWorkflow'));
  assert.ok(
    studies.some((f) => eventTypes(f).includes('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW')),
    'a continued-as-new run',
  );
  assert.ok(
    studies.some((f) => eventTypes(f).includes('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED')),
    'a run with updates',
  );
  assert.ok(
    studies.some((f) => eventTypes(f).includes('EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED')),
    'a cancelled run',
  );
});

/** The patch ids a history's markers record (patched() calls that took the new branch). */
function patches(f: Fixture): string[] {
  const events = (f.history as { events: Array<{ markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: string }> }> } }> })
    .events;
  return events.flatMap((e) =>
    Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) =>
      (d.payloads ?? []).map((p) => (JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8')) as { id?: string }).id ?? ''),
    ),
  );
}

test('the fixtures take both sides of each patch: histories from before it and histories through its new branch', () => {
  const studies = fixtures().filter((f) => f.workflowType === 'StudyWorkflow');
  for (const id of ['study-state-attribute', 'promotion-keeps-warm-start', 'cancelled-trial-replaced']) {
    assert.ok(
      studies.some((f) => patches(f).includes(id)),
      `a history through patched('${id}')`,
    );
    assert.ok(
      studies.some((f) => !patches(f).includes(id)),
      `a history from before patched('${id}')`,
    );
  }
});

test('every recorded history replays against the current workflow code', { timeout: 300_000 }, async () => {
  const all = fixtures();
  const results = await replayAll(all);
  assert.equal(results.length, all.length);
  const failed = results.filter((r) => r.error !== undefined).map((r) => `${r.workflowId}: ${String(r.error)}`);
  assert.deepEqual(failed, []);
});

test('replay detects a history the code would not produce (the check can fail)', { timeout: 120_000 }, async () => {
  // A study whose recorded history scheduled another activity first than the code does.
  const study = fixtures().find((f) => f.workflowType === 'StudyWorkflow')!;
  const tampered = structuredClone(study);
  const events = (tampered.history as { events: Array<Record<string, { activityType?: { name: string } }>> }).events;
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes)!;
  scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'somethingElse';
  const [r] = await replayAll([tampered]);
  assert.ok(r!.error instanceof DeterminismViolationError, String(r!.error));
});
