import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servers, uniqueName } from '@saga/testkit';
import { endLeftoverWorkflows } from './workbench.ts';

describe('endLeftoverWorkflows (the dev server)', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({
      connection: await Connection.connect({ address: servers.TEMPORAL_ADDRESS }),
      namespace: servers.TEMPORAL_NAMESPACE,
    });
  });
  afterAll(async () => client.connection.close());

  it("terminates the workflows an earlier run left on its task queues, and nobody else's", async () => {
    // No worker polls these queues: the workflows stay running, as a killed run leaves them.
    const start = (taskQueue: string) =>
      client.workflow.start('orderSaga', { taskQueue, workflowId: uniqueName('leftover'), args: [] });
    const leftover = await Promise.all([1, 2, 3].map(() => start(`${uniqueName('bench')}-temporal-kafka`)));
    const other = await start(uniqueName('not-a-bench-run'));
    const lines: string[] = [];
    // Visibility is eventually consistent; a real run's leftovers are long settled.
    const ids = leftover.map((h) => `'${h.workflowId}'`).join(', ');
    await expect
      .poll(async () => (await client.workflow.count(`WorkflowId IN (${ids})`)).count, { timeout: 10_000 })
      .toBe(3);

    await endLeftoverWorkflows(client, (l) => lines.push(l));

    for (const h of leftover) expect((await h.describe()).status.name).toBe('TERMINATED');
    expect((await other.describe()).status.name).toBe('RUNNING');
    expect(lines.join('\n')).toMatch(/ended \d+ workflows left running by an earlier benchmark run/);
    await other.terminate('test over');
  });
});
