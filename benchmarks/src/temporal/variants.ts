import type { WorkerOptions } from '@temporalio/worker';
import { TEMPORAL_TUNING } from '@saga/stack';

/** One tuning point of the Temporal floor: server dynamic config, worker options, activity kind. */
export interface FloorVariant {
  name: string;
  what: string;
  /** `KEY=VALUE` dynamic config values for the dev server. */
  server?: string[];
  worker?: Partial<WorkerOptions>;
  workflow: 'fourActivities' | 'fourLocalActivities';
}

export const [POLL_RPS, EAGER] = TEMPORAL_TUNING as [string, string];

export const floorVariants: FloorVariant[] = [
  { name: 'defaults', what: 'dev server and worker defaults, 4 regular activities', workflow: 'fourActivities' },
  {
    name: 'local',
    what: '4 local activities (run inside the workflow task, no dispatch each)',
    workflow: 'fourLocalActivities',
  },
  {
    name: 'eager',
    what: 'eager activity dispatch (the workflow task completion returns the activity)',
    server: [EAGER],
    workflow: 'fourActivities',
  },
  {
    name: 'poll-rps',
    what: `transfer queue reader not rate-limited (${POLL_RPS})`,
    server: [POLL_RPS],
    workflow: 'fourActivities',
  },
  {
    name: 'pollers',
    what: '8 workflow + 8 activity pollers',
    worker: { maxConcurrentWorkflowTaskPolls: 8, maxConcurrentActivityTaskPolls: 8 },
    workflow: 'fourActivities',
  },
  {
    name: 'no-sticky',
    what: 'no sticky cache (every workflow task replays the history)',
    worker: { maxCachedWorkflows: 0 },
    workflow: 'fourActivities',
  },
  {
    name: 'no-v8-reuse',
    what: 'one V8 context per workflow (reuseV8Context off)',
    worker: { reuseV8Context: false },
    workflow: 'fourActivities',
  },
  {
    name: 'eager+poll-rps',
    what: 'eager dispatch and unthrottled transfer queue',
    server: [EAGER, POLL_RPS],
    workflow: 'fourActivities',
  },
  {
    name: 'local+poll-rps',
    what: 'local activities and unthrottled transfer queue',
    server: [POLL_RPS],
    workflow: 'fourLocalActivities',
  },
  {
    name: 'tuned',
    what: "the stack's settings: unthrottled transfer queue, eager dispatch, 8 + 8 pollers",
    server: TEMPORAL_TUNING,
    worker: { maxConcurrentWorkflowTaskPolls: 8, maxConcurrentActivityTaskPolls: 8 },
    workflow: 'fourActivities',
  },
];
