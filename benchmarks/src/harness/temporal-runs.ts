import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';

/** The workflows benchmark runs leave on a Temporal server, and how they are ended. */

/** Every run's name (its databases, topics, task queues) starts with this. */
export const BENCH_PREFIX = 'bench';

/**
 * Terminates the running workflows `where` selects (a visibility query) with one batch operation,
 * the server's own way to end many at once; waits up to a minute for it. Returns how many were
 * running.
 */
export const terminateRunning = async (client: Client, where: string, reason: string): Promise<number> => {
  const { workflowService } = client.connection;
  const namespace = client.options.namespace;
  const query = `${where} AND ExecutionStatus = 'Running'`;
  const count = async () => Number((await workflowService.countWorkflowExecutions({ namespace, query })).count ?? 0);
  const running = await count();
  if (running === 0) return 0;
  await workflowService.startBatchOperation({
    namespace,
    visibilityQuery: query,
    jobId: randomUUID(),
    reason,
    terminationOperation: {},
  });
  for (let waited = 0; waited < 60_000 && (await count()) > 0; waited += 1_000) await sleep(1_000);
  return running;
};

/**
 * Ends the workflows an earlier run left running (one stopped with kill -9, so its `close` never
 * ran): thousands of them, with their timers, would keep the server busy and skew this run.
 * Called before this run starts anything on that server.
 */
export const endLeftoverWorkflows = async (client: Client, log: (l: string) => void) => {
  const ended = await terminateRunning(
    client,
    `TaskQueue STARTS_WITH '${BENCH_PREFIX}_'`,
    'left running by an earlier benchmark run',
  );
  if (ended > 0) log(`ended ${ended} workflows left running by an earlier benchmark run`);
};
