import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { freePort, servers, testKafka, type Workbench } from '@saga/testkit';
import { killRestartScenario, spawnProcess, type SpawnedCoordinator } from '@saga/testkit/process';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const kafka = testKafka('restate-recovery');

describe.each(['kafka', 'http'] as const)('Restate coordinator recovery (%s transport)', (transport) => {
  let wb: Workbench;
  let env: Record<string, string>;
  const spawned: SpawnedCoordinator[] = [];

  beforeAll(async () => {
    wb = await workbench(kafka);
    // The default budgets, as in the other coordinators' recovery tests. The endpoint keeps its
    // address across the restart: the Restate server resumes the invocations pinned to it there.
    env = orchestratorEnv(wb.env(), {
      TRANSPORT: transport,
      RESTATE_ENDPOINT_PORT: String(await freePort()),
      SAGA_STEP_TIMEOUT_MS: '3000',
      SAGA_STEP_ATTEMPTS: '5',
      SAGA_COMPENSATION_ATTEMPTS: '25',
      SAGA_DEADLINE_MS: '300000',
    });
  });
  afterAll(async () => {
    for (const s of spawned) await s.kill();
    await wb.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_RESTATE_DATABASE!);
  });

  it('kill -9 of the endpoint process while 100 sagas are in flight, restarted at the same address: every saga terminal, no duplicate effect', async () => {
    const r = await killRestartScenario(
      wb,
      () => spawnProcess(main, env, 'RESTATE_COORDINATOR_PORT', { what: 'the coordinator' }),
      spawned,
    );
    // Killed mid-run; afterwards every saga done, nothing wrong, exactly the 10 declined rejected (none
    // compensated by the restart), and the restarted process lists the 90 completed.
    expect(r.terminalBeforeKill).toBeLessThan(100);
    expect(r).toMatchObject({ violations: [], rejected: 10, listedCompleted: 90 });
  }, 420_000);
});
