/** The workflows a spnas orchestration worker runs (its bundle's entry point). */
export { StudyWorkflow, type StudyCarry } from './study-workflow';
export { TrialWorkflow, type TrialInput } from './trial-workflow';
