/**
 * The Temporal client classes the CLI uses (steering a study, telling its errors apart), re-exported
 * so that Temporal's SDK is imported only by Temporal glue (src/temporal, workflows, activities;
 * docs/architecture.md "Layers"). The CLI imports them from here.
 */
export { Client, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
