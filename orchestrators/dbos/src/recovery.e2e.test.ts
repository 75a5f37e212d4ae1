import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, type Workbench } from '@saga/testkit';
import { killRestartScenario, spawnProcess, type SpawnedCoordinator } from '@saga/testkit/process';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const kafka = testKafka('dbos-recovery');

/** The DBOS coordinator (workflow executor, starter, reply consumer) as its own process, killable by pid. */
const spawnCoordinator = (env: Record<string, string>) =>
  spawnProcess(main, env, 'DBOS_COORDINATOR_PORT', { what: 'the coordinator' });

describe.each(['kafka', 'http'] as const)('DBOS coordinator recovery (%s transport)', (transport) => {
  let wb: Workbench;
  let env: Record<string, string>;
  const spawned: SpawnedCoordinator[] = [];

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
  });
  afterAll(async () => {
    for (const s of spawned) await s.kill();
    await wb.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_DBOS_DATABASE!);
  });

  it('kill -9 while 100 sagas are in flight, restart under the same executor id: every saga terminal, no duplicate effect', async () => {
    const r = await killRestartScenario(wb, () => spawnCoordinator(env), spawned);
    // Killed mid-run; afterwards every saga done, nothing wrong, exactly the 10 declined rejected (none
    // compensated by the restart), and the restarted process lists the 90 completed.
    expect(r.terminalBeforeKill).toBeLessThan(100);
    expect(r).toMatchObject({ violations: [], rejected: 10, listedCompleted: 90 });
  }, 420_000);
});
