import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, waitFor, type Workbench } from '@saga/testkit';
import { spawnProcess } from '@saga/testkit/process';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const kafka = testKafka('dbos-recovery');

/** The DBOS coordinator (workflow executor, starter, reply consumer) as its own process, killable by pid. */
const spawnCoordinator = (env: Record<string, string>) =>
  spawnProcess(main, env, 'DBOS_COORDINATOR_PORT', { what: 'the coordinator' });

describe.each(['kafka', 'http'] as const)('DBOS coordinator recovery (%s transport)', (transport) => {
  let wb: Workbench;
  let env: Record<string, string>;
  const spawned: { kill(): Promise<void> }[] = [];

  beforeAll(async () => {
    wb = await workbench(kafka);
    // The default budgets, as in the Temporal coordinator's recovery test: long enough that a
    // restart does not spend a step's attempts.
    env = orchestratorEnv(wb.env(), {
      TRANSPORT: transport,
      INSTANCE_ID: 'dbos-recovery-0',
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
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_DBOS_DATABASE!);
  });

  it('kill -9 while 100 sagas are in flight, restart under the same executor id: every saga terminal, no duplicate effect', async () => {
    const first = await spawnCoordinator(env);
    spawned.push(first);
    const ids: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
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
    await waitFor('some sagas to finish', async () => (await terminal()) >= 10, 120_000);
    expect(await terminal()).toBeLessThan(100);
    await first.kill();
    const second = await spawnCoordinator(env);
    spawned.push(second);
    await wb.waitTerminal(ids, 240_000);
    // The order is terminal before the saga's last steps (commit, notify): wait for those too.
    await waitFor('every saga to finish', async () => (await wb.violations(ids)).length === 0, 120_000);
    expect(await wb.violations(ids)).toEqual([]);
    const statuses = await wb.waitTerminal(ids);
    expect([...statuses.values()].filter((s) => s === 'REJECTED').length).toBe(10);
    // The restarted process lists every saga, the ones the killed one started included.
    const completed = async () =>
      ((await (await fetch(`${second.url}/sagas?status=COMPLETED&pageSize=1`)).json()) as { total: number }).total;
    await expect.poll(completed, { timeout: 60_000 }).toBe(90);
  }, 420_000);
});
