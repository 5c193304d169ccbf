/**
 * The study's search attributes (what `temporal workflow list --query` and the UI filter on):
 * SpnasStudy and SpnasKind once, SpnasState at every change of state, SpnasTop1 / SpnasLatencyMs of
 * the best member within the target whenever it changes (the selected model at the end). Nothing is
 * upserted when the namespace lacks spnas's attributes (an unknown attribute fails the workflow task).
 *
 * `tracked` is false when replaying a history recorded before the state attributes existed
 * (patched('study-state-attribute')): those histories have no upserts at state changes, so none are
 * made for them.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { FrontMember, StudyState } from '../src/study/records';
import { SA } from './definitions';

type Pairs = SearchAttributeUpdatePair[];

export class StudyAttributes {
  private lastBest: string | undefined;
  private begun = false;

  constructor(
    /** The namespace has every spnas attribute (the searchAttributesReady activity). */
    public enabled: boolean,
    readonly tracked: boolean,
  ) {}

  upsert(pairs: Pairs): void {
    if (this.enabled && pairs.length) upsertSearchAttributes(pairs);
  }

  /** The study's identity and state (and best so far) in one upsert: the first of every run. */
  begin(study: string, state: StudyState, best: FrontMember | undefined): void {
    if (this.begun) return;
    this.begun = true;
    const extra: Pairs = this.tracked ? [{ key: SA.state, value: state }, ...bestPairs(best)] : [];
    this.lastBest = key(best);
    this.upsert([{ key: SA.study, value: study }, { key: SA.kind, value: 'study' }, ...extra]);
  }

  state(state: StudyState, more: Pairs = []): void {
    if (this.tracked) this.upsert([{ key: SA.state, value: state }, ...more]);
  }

  best(best: FrontMember | undefined): void {
    if (!this.tracked || best === undefined || key(best) === this.lastBest) return;
    this.lastBest = key(best);
    this.upsert(bestPairs(best));
  }
}

const key = (m: FrontMember | undefined) => (m ? `${m.trialId}` : undefined);
const bestPairs = (m: FrontMember | undefined): Pairs =>
  m
    ? [
        { key: SA.top1, value: m.top1 },
        { key: SA.latencyMs, value: m.latencyMs },
      ]
    : [];
