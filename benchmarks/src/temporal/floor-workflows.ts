import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

/** Temporal's own floor: a workflow of four no-op activities, as many as the order saga's happy path dispatches. */
export interface FloorActivities {
  noop(step: number): Promise<number>;
}

const regular = proxyActivities<FloorActivities>({ startToCloseTimeout: '10s' });
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10s' });

export async function fourActivities(): Promise<number> {
  let n = 0;
  for (let i = 0; i < 4; i++) n += await regular.noop(i);
  return n;
}

export async function fourLocalActivities(): Promise<number> {
  let n = 0;
  for (let i = 0; i < 4; i++) n += await local.noop(i);
  return n;
}
