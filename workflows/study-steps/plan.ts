/**
 * The plan step: the spec parsed once, at the workflow's edge, then the study prepared (search
 * attributes checked, spec recorded, data planned, the latency table fixed, profiled first if asked)
 * into the carry its runs pass on.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { SpnasError } from '../../src/errors';
import { studyLayout } from '../../src/study/names';
import { parseStudySpec, type StudySpec } from '../../src/study/spec';
import { NO_COMPUTE } from '../../src/study/study-book';
import { getPreset, PRESET_NAMES } from '../../src/space/presets';
import { parseSearchSpace, type SearchSpace } from '../../src/space/spec';
import type { StudyCarry } from './carry';
import { light, type StudyRun } from './study-run';

/** The spec and its space, typed; a bad spec fails the workflow (non-retryable) naming the field. */
export function readSpec(rawSpec: unknown): { spec: StudySpec; space: SearchSpace } {
  try {
    const spec = parseStudySpec(rawSpec);
    return { spec, space: spaceOf(spec) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw ApplicationFailure.create({ type: err instanceof SpnasError ? err.code : 'INVALID_INPUT', message, nonRetryable: true });
  }
}

function spaceOf(spec: StudySpec): SearchSpace {
  if (typeof spec.space !== 'string') return parseSearchSpace(spec.space, 'study spec.space');
  if (!PRESET_NAMES.includes(spec.space)) throw new SpnasError('INVALID_INPUT', `study spec.space: unknown preset '${spec.space}'`);
  return getPreset(spec.space);
}

/**
 * Checks the search attributes (first, so that the study is listed by state while it is prepared),
 * validates, records the spec, fixes the latency table (profiling it first if asked).
 */
export async function planStudy(run: StudyRun): Promise<StudyCarry> {
  const { spec: s, attrs } = run;
  if (attrs.tracked) {
    attrs.enabled = await light.searchAttributesReady();
    attrs.begin(s.name, run.state, undefined);
  }
  const prepared = await light.prepareStudy.executeWithOptions({ summary: `prepare study ${s.name}: spec, data, latency table` }, [s]);
  let tableUri = prepared.tableUri;
  if (!tableUri) {
    const lt = s.latencyTable as { repeats: number; samples: number };
    const profiled = await run.heavy.profileLatency.executeWithOptions(
      { summary: `profile the latency table of ${typeof s.space === 'string' ? s.space : 'the space'}` },
      [
        {
          input: { space: s.space, out: studyLayout.table(prepared.studyRoot), repeats: lt.repeats, samples: lt.samples },
          studyRoot: prepared.studyRoot,
          executor: s.resources.executor,
          resources: s.resources.profile,
          labels: { 'spnas.io/study': s.name },
        },
      ],
    );
    tableUri = profiled.out;
  }
  const info = await light.describeTable(tableUri, s.space);
  const searchAttributes = attrs.tracked ? attrs.enabled : await light.searchAttributesReady();
  attrs.enabled = searchAttributes;
  return {
    studyRoot: prepared.studyRoot,
    tableUri,
    largestMs: info.largestMs,
    ...(prepared.data ? { data: prepared.data } : {}),
    ...(prepared.measuredLargestMs !== undefined ? { measuredLargestMs: prepared.measuredLargestMs } : {}),
    ...(prepared.measuredDevice ? { measuredDevice: prepared.measuredDevice } : {}),
    searchAttributes,
    book: { trials: [], compute: { ...NO_COMPUTE }, hypervolume: [] },
    sampler: null,
    proposals: 0,
    outbox: [],
    warmups: {},
    planned: s.hpo.trials,
    parallelism: s.hpo.parallelism,
    launched: 0,
    stopping: false,
    startedAt: Date.now(),
    runs: 1,
  };
}
