/** The heavy activities (compute queue): one per engine use case, all through heavyActivity(). */
import type {
  EvaluateInput,
  EvaluateOutput,
  ProfileInput,
  ProfileOutput,
  SearchInput,
  SearchOutput,
  TrainInput,
  TrainOutput,
  WarmupInput,
  WarmupOutput,
} from '../src/usecases';
import { heavyActivity, type Executors } from './heavy-activity';

export function createHeavyActivities(executors: Executors) {
  return {
    searchArchitecture: heavyActivity<SearchInput, SearchOutput>(executors, 'searchArchitecture'),
    warmupSupernet: heavyActivity<WarmupInput, WarmupOutput>(executors, 'warmupSupernet'),
    trainModel: heavyActivity<TrainInput, TrainOutput>(executors, 'trainModel'),
    evaluateModel: heavyActivity<EvaluateInput, EvaluateOutput>(executors, 'evaluateModel'),
    profileLatency: heavyActivity<ProfileInput, ProfileOutput>(executors, 'profileLatency'),
  };
}
