import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '@saga/config';
import { inFlight } from '@saga/launcher/in-flight';
import { loadOrchestratorConfig, startOrchestrator, type RunningOrchestrator } from '@saga/orchestrator-custom';
import { loadTemporalConfig, startTemporalCoordinator } from '@saga/orchestrator-temporal';
import { dropDatabase, withClient } from '@saga/postgres';
import { servers, testKafka, TEST_ADMIN_TOKEN, uniqueName, type Workbench } from '@saga/testkit';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';

type Temporal = Awaited<ReturnType<typeof startTemporalCoordinator>>;

/**
 * ADR 0011: switching ORCHESTRATOR with orders in flight and history in the topics never runs an
 * order's saga on two coordinators. custom → temporal (its starter reads order.events from the
 * beginning) → custom (its starter resumes its old offset) → both at once by mistake, with load
 * running and a slow payment service so sagas are in flight at every switch; temporal's leftovers
 * drained. Then: every order terminal once, every effect right, each saga on exactly one coordinator.
 */
describe('switching coordinators with orders in flight', () => {
  const kafka = testKafka('switching-e2e');
  let wb: Workbench;
  let env: Record<string, string>;
  const placed: string[] = [];
  const running: { custom?: RunningOrchestrator; temporal?: Temporal } = {};

  beforeAll(async () => {
    wb = await workbench(kafka);
    env = orchestratorEnv(wb.env(), {
      TRANSPORT: 'kafka',
      TEMPORAL_TASK_QUEUE: uniqueName('order-saga'),
      SAGA_REGISTRY_DATABASE: uniqueName('t_registry'),
    });
    await wb.seedStock([{ sku: 'widget', quantity: 100_000 }]);
    await wb.seedCustomers([
      { id: 'alice', creditLimitCents: 1_000_000_000 },
      { id: 'bob', creditLimitCents: 500 },
    ]);
  });
  afterAll(async () => {
    await running.custom?.stop();
    await running.temporal?.stop();
    await wb.close();
    for (const db of [env.ORCHESTRATOR_DATABASE!, env.ORCHESTRATOR_TEMPORAL_DATABASE!, env.SAGA_REGISTRY_DATABASE!])
      await dropDatabase(servers.POSTGRES_URL, db);
  });

  /** Open-loop load at ~8 orders/s for `ms`; every fifth order is declined by payment. */
  const load = async (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const customer = placed.length % 5 === 4 ? 'bob' : 'alice';
      placed.push(await wb.placeOrder(customer, [{ sku: 'widget', quantity: 1, unitPriceCents: 1_000 }]));
      await sleep(125);
    }
  };
  const slowPayment = (latencyMs: number) =>
    fetch(`${wb.services.payment.url}/admin/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs }),
    });
  const start = {
    custom: async () => void (running.custom = await startOrchestrator(loadOrchestratorConfig(env))),
    temporal: async (extra: Record<string, string> = {}) =>
      void (running.temporal = await startTemporalCoordinator(loadTemporalConfig({ ...env, ...extra }))),
  };
  const stop = async (who: 'custom' | 'temporal') => {
    await running[who]?.stop();
    running[who] = undefined;
  };
  const countInFlight = async () =>
    new Map((await inFlight(['custom', 'temporal'], env)).map((f) => [f.owner, f.count]));

  it('runs every order on exactly one coordinator, whatever the switches, and every saga finishes', async () => {
    await slowPayment(250);
    const atSwitch: Record<string, number | undefined> = {};

    await start.custom();
    await load(4_000);
    await stop('custom');
    atSwitch['custom → temporal: custom'] = (await countInFlight()).get('custom');

    await start.temporal();
    await load(4_000);
    await stop('temporal');
    atSwitch['temporal → custom: temporal'] = (await countInFlight()).get('temporal');

    await start.custom();
    await load(3_000);
    // Two coordinators at once by mistake: each order still goes to one of them only.
    await start.temporal();
    await load(3_000);
    await stop('temporal');
    await slowPayment(0);
    // Temporal's leftovers finish on Temporal: drain mode starts no new saga.
    await start.temporal({ SAGA_DRAIN: 'true' });

    await wb.waitTerminal(placed, 120_000);
    await expect
      .poll(async () => [...(await countInFlight()).values()], { timeout: 60_000, interval: 500 })
      .toEqual([0, 0]);
    // There were sagas in flight at the switches, or the test proves nothing.
    expect(atSwitch['custom → temporal: custom']).toBeGreaterThan(0);
    expect(atSwitch['temporal → custom: temporal']).toBeGreaterThan(0);

    expect(await wb.violations(placed)).toEqual([]);
    const customSagas = await withClient(databaseUrl(servers.POSTGRES_URL, env.ORCHESTRATOR_DATABASE!), async (db) =>
      (await db.query<{ id: string }>('SELECT id FROM sagas')).rows.map((r) => r.id),
    );
    const temporalSagas: string[] = [];
    for await (const w of running.temporal!.client.workflow.list({ query: `TaskQueue = '${env.TEMPORAL_TASK_QUEUE}'` }))
      temporalSagas.push(w.workflowId);
    const both = customSagas.filter((id) => temporalSagas.includes(id));
    expect(both, 'orders orchestrated by both coordinators').toEqual([]);
    expect([...customSagas, ...temporalSagas].sort()).toEqual([...placed].sort());
    // Both coordinators took part (the test switched for real).
    expect(customSagas.length).toBeGreaterThan(10);
    expect(temporalSagas.length).toBeGreaterThan(10);
    const owners = await withClient(
      databaseUrl(servers.POSTGRES_URL, env.SAGA_REGISTRY_DATABASE!),
      async (db) =>
        new Map(
          (await db.query<{ saga_id: string; owner: string }>('SELECT saga_id, owner FROM saga_owners')).rows.map(
            (r) => [r.saga_id, r.owner],
          ),
        ),
    );
    expect(
      customSagas.every((id) => owners.get(id) === 'custom') &&
        temporalSagas.every((id) => owners.get(id) === 'temporal'),
    ).toBe(true);
  });
});
