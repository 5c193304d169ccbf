/** Every activity of spnas, and their types for the workflows' proxies. */
import { createHeavyActivities } from './heavy-activities';
import { createStudyActivities } from './study-activities';

export type HeavyActivities = ReturnType<typeof createHeavyActivities>;
export type StudyActivities = ReturnType<typeof createStudyActivities>;
export { createHeavyActivities, createStudyActivities };
export type { HeavyRequest, ExecutorChoice, Executors, HeartbeatDetails } from './heavy-activity';
