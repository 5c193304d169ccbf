/**
 * Names kept in one place: task queues, workflow ids, search-attribute keys and the artifact layout
 * of a study in the store. Pure strings, so workflows, activities, workers and the CLI agree.
 */

/** Default task queues (env SPNAS_ORCHESTRATION_QUEUE / SPNAS_COMPUTE_QUEUE override them in the worker). */
export const DEFAULT_TASK_QUEUES = { orchestration: 'spnas-orchestration', compute: 'spnas-compute' } as const;

export const STUDY_WORKFLOW_TYPE = 'StudyWorkflow';
export const TRIAL_WORKFLOW_TYPE = 'TrialWorkflow';

export function studyWorkflowId(study: string): string {
  return `spnas-study-${study}`;
}

export function trialWorkflowId(studyWorkflowId: string, trialId: number): string {
  return `${studyWorkflowId}-trial-${trialId}`;
}

/**
 * Custom search attributes (registered by the embedded dev server and `spnas temporal setup`; the
 * queries docs/orchestration.md documents use them). SpnasState follows a study (running, stopping,
 * final, completed, cancelled, failed), SpnasTrialState a trial. SpnasTop1 / SpnasLatencyMs are a
 * trial's result and, on a study, its best within the target so far (the selected model at the end):
 * SQLite visibility (the dev server) allows three Double attributes per namespace, so there is no
 * separate "best" attribute.
 */
export const SEARCH_ATTRIBUTES = {
  study: { name: 'SpnasStudy', type: 'KEYWORD' },
  kind: { name: 'SpnasKind', type: 'KEYWORD' },
  state: { name: 'SpnasState', type: 'KEYWORD' },
  trialState: { name: 'SpnasTrialState', type: 'KEYWORD' },
  lambda: { name: 'SpnasLambda', type: 'DOUBLE' },
  top1: { name: 'SpnasTop1', type: 'DOUBLE' },
  latencyMs: { name: 'SpnasLatencyMs', type: 'DOUBLE' },
} as const;

function join(root: string, ...parts: string[]): string {
  return [root.replace(/\/+$/, ''), ...parts].join('/');
}

/** Where a study's artifacts live under its storage root. */
export const studyLayout = {
  root: (storage: string, study: string) => join(storage, 'studies', study),
  spec: (studyRoot: string) => join(studyRoot, 'spec.json'),
  table: (studyRoot: string) => join(studyRoot, 'table.json'),
  /** The study's data plan (src/study/data-plan.ts), written once when it is prepared. */
  dataPlan: (studyRoot: string) => join(studyRoot, 'data-plan.json'),
  /** The device the table belongs to, its check, and the largest network measured there (written by the prepare step). */
  device: (studyRoot: string) => join(studyRoot, 'device.json'),
  summary: (studyRoot: string) => join(studyRoot, 'summary.json'),
  /** Each finished trial's record, written as it finishes (the workflow keeps only the front and the running ones). */
  trials: (studyRoot: string) => join(studyRoot, 'trials'),
  trial: (studyRoot: string, trialId: number) => join(studyRoot, 'trials', `t${trialId}.json`),
  /** The sampler's state after the study's n-th proposal (immutable: a retried proposal writes the same document). */
  samplerState: (studyRoot: string, proposal: number) => join(studyRoot, 'sampler', `state-${String(proposal).padStart(6, '0')}.json`),
  warmup: (studyRoot: string, key: string) => join(studyRoot, 'warmups', key),
  /** One search directory per configuration: a promoted trial continues its configuration's search. */
  search: (studyRoot: string, configId: number) => join(studyRoot, 'configs', `c${configId}`, 'search'),
  /**
   * One training directory per (configuration, architecture): a promotion that derives the same
   * architecture continues its training; with a budget (promotions that restart their retraining), one per rung.
   */
  train: (studyRoot: string, configId: number, archKey: string, budget?: number) =>
    join(studyRoot, 'configs', `c${configId}`, budget === undefined ? `train-${archKey}` : `train-${archKey}-b${budget}`),
  final: (studyRoot: string, trialId: number) => join(studyRoot, 'final', `trial-${trialId}`),
  /** Inputs and results of one activity attempt run as a Kubernetes Job (per run: activity ids restart in every run). */
  activityIo: (studyRoot: string, a: { workflowId: string; runId: string; activityId: string; attempt: number }) =>
    join(studyRoot, 'activities', a.workflowId, a.runId, a.activityId, `attempt-${a.attempt}`),
};
