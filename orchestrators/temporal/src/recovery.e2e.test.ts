import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, uniqueName, waitFor, type Workbench } from '@saga/testkit';
import { spawnProcess } from '@saga/testkit/process';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';
import { statusQuery } from './workflows.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const kafka = testKafka('temporal-recovery');

/** The Temporal coordinator (worker, starter, reply consumer) as its own process, killable by pid. */
const spawnCoordinator = (env: Record<string, string>) =>
  spawnProcess(main, env, 'TEMPORAL_COORDINATOR_PORT', { what: 'the coordinator' });

describe('Temporal coordinator recovery (Kafka transport)', () => {
  let wb: Workbench;
  let env: Record<string, string>;
  const spawned: { kill(): Promise<void> }[] = [];

  beforeAll(async () => {
    wb = await workbench(kafka);
    // The default budgets (3 s × 5 attempts a step, 25 a compensation): a restarted worker bundles
    // its workflows first. With the step's 5 for a compensation too, a declined order's ReleaseStock
    // caught by the kill could run out and park (NEEDS_ATTENTION: never terminal), as in the long soak.
    env = orchestratorEnv(wb.env(), {
      TEMPORAL_TASK_QUEUE: uniqueName('order-saga'),
      SAGA_STEP_TIMEOUT_MS: '3000',
      SAGA_STEP_ATTEMPTS: '5',
      SAGA_COMPENSATION_ATTEMPTS: '25',
      SAGA_DEADLINE_MS: '300000',
    });
    await wb.seedStock([{ sku: 'bulk', quantity: 100_000 }]);
    await wb.seedCustomers([
      { id: 'rich', creditLimitCents: 1_000_000_000 },
      { id: 'poor', creditLimitCents: 10 },
    ]);
  });
  afterAll(async () => {
    for (const s of spawned) await s.kill();
    await wb.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_TEMPORAL_DATABASE!);
  });

  it('kill -9 of the worker while 200 sagas are in flight, restart: every saga terminal, no duplicate effect', async () => {
    const first = await spawnCoordinator(env);
    spawned.push(first);
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            wb.placeOrder((batch * 20 + i) % 10 === 0 ? 'poor' : 'rich', [
              { sku: 'bulk', quantity: 1, unitPriceCents: 100 },
            ]),
          ),
        )),
      );
    }
    const terminal = async () => [...(await wb.orderStatuses(ids)).values()].filter((s) => s !== 'PENDING').length;
    await waitFor('some sagas to finish', async () => (await terminal()) >= 20, 120_000);
    expect(await terminal()).toBeLessThan(200);
    await first.kill();
    spawned.push(await spawnCoordinator(env));
    await wb.waitTerminal(ids, 240_000).catch(async (err: Error & { open?: string[] }) => {
      // Say what each stuck saga is doing, so an intermittent failure leaves something to go on.
      const client = new Client({
        connection: await Connection.connect({ address: servers.TEMPORAL_ADDRESS }),
        namespace: servers.TEMPORAL_NAMESPACE,
      });
      const seen = await Promise.all(
        (err.open ?? []).slice(0, 5).map(async (id) => {
          const handle = client.workflow.getHandle(id);
          const [d, view] = await Promise.all([
            handle.describe().catch(() => undefined),
            handle.query(statusQuery).catch((e: unknown) => String(e)),
          ]);
          const pending =
            d?.raw.pendingActivities?.map(
              (a) => `${a.activityType?.name} attempt ${a.attempt} ${a.state} ${a.lastFailure?.message ?? ''}`,
            ) ?? [];
          return `${id}: ${d?.status.name ?? 'no workflow'} ${JSON.stringify(view)} pending [${pending.join('; ')}]`;
        }),
      );
      await client.connection.close();
      throw new Error(`${err.message}\n${seen.join('\n')}`);
    });
    // The order is terminal before the saga's last steps (commit, notify): wait for those too.
    await waitFor('every saga to finish', async () => (await wb.violations(ids)).length === 0, 120_000);
    expect(await wb.violations(ids)).toEqual([]);
    // Only the 20 declined orders are rejected: no happy saga is compensated because its worker restarted.
    const statuses = await wb.waitTerminal(ids);
    const declined = new Set(ids.filter((_, i) => i % 10 === 0));
    const { rows: happyRejected } = await wb.services.order.ctx.pool.query<{ id: string; reason: string }>(
      `SELECT id, reason FROM orders WHERE id = ANY($1) AND status = 'REJECTED'`,
      [ids.filter((id) => !declined.has(id))],
    );
    expect(happyRejected.map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    expect([...statuses.values()].filter((s) => s === 'REJECTED')).toHaveLength(20);
  }, 420_000);
});
