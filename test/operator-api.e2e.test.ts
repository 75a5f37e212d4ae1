import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SagaPage } from '@saga/contracts';
import { loadOrchestratorConfig, startOrchestrator } from '@saga/orchestrator-custom';
import { loadTemporalConfig, startTemporalCoordinator } from '@saga/orchestrator-temporal';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, TEST_ADMIN_TOKEN, uniqueName, type Workbench } from '@saga/testkit';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';

const coordinators = {
  custom: async (env: Record<string, string>) => startOrchestrator(loadOrchestratorConfig(env)),
  temporal: async (env: Record<string, string>) => startTemporalCoordinator(loadTemporalConfig(env)),
};

/**
 * The operator API every coordinator serves (contracts `operator.ts`, ADR 0017), the same
 * scenarios against each, end to end through the real services: list with totals, compensate
 * before the pivot (the step in flight undone too), a parked saga retried, and the refusals —
 * 401 without the token, 404 for no such saga, 409 when the action does not fit, 400 for a bad query.
 */
describe.each(Object.keys(coordinators) as (keyof typeof coordinators)[])(
  'the operator API of the %s coordinator',
  (name) => {
    const kafka = testKafka(`operator-api-${name}`);
    let wb: Workbench;
    let coordinator: { url: string; stop: () => Promise<void> };
    let env: Record<string, string>;
    const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

    beforeAll(async () => {
      wb = await workbench(kafka);
      env = orchestratorEnv(wb.env(), { TRANSPORT: 'http', TEMPORAL_TASK_QUEUE: uniqueName('order-saga') });
      coordinator = await coordinators[name](env);
      await wb.seedStock([{ sku: 'widget', quantity: 100 }]);
      await wb.seedCustomers([
        { id: 'alice', creditLimitCents: 1_000_000 },
        { id: 'bob', creditLimitCents: 500 },
      ]);
    });
    afterAll(async () => {
      await coordinator?.stop();
      await wb?.close();
      for (const db of [env.ORCHESTRATOR_DATABASE!, env.ORCHESTRATOR_TEMPORAL_DATABASE!])
        await dropDatabase(servers.POSTGRES_URL, db);
    });

    const saga = async (id: string) =>
      (await (await fetch(`${coordinator.url}/sagas/${id}`)).json()) as { status: string; reason: string | null };
    const sagaEnds = (id: string, status: string) =>
      expect.poll(async () => (await saga(id)).status, { timeout: 30_000 }).toBe(status);
    const act = (id: string, action: string, headers: Record<string, string> = auth) =>
      fetch(`${coordinator.url}/sagas/${id}/${action}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ note: 'operator-api e2e' }),
      });
    const faults = (svc: 'inventory' | 'payment', body: object) =>
      fetch(`${wb.services[svc].url}/admin/faults`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

    it('lists sagas by status with the total, each row in the one shape', async () => {
      const ids = [
        await wb.placeOrder('alice', [{ sku: 'widget', quantity: 1, unitPriceCents: 100 }]),
        await wb.placeOrder('alice', [{ sku: 'widget', quantity: 1, unitPriceCents: 100 }]),
      ];
      for (const id of ids) await sagaEnds(id, 'COMPLETED');
      await expect
        .poll(
          async () =>
            SagaPage.parse(await (await fetch(`${coordinator.url}/sagas?status=COMPLETED&pageSize=1`)).json()).total,
          { timeout: 10_000 },
        )
        .toBeGreaterThanOrEqual(2);
      const page = SagaPage.parse(
        await (await fetch(`${coordinator.url}/sagas?status=COMPLETED&pageSize=1&page=2`)).json(),
      );
      expect(page).toMatchObject({ page: 2, pageSize: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.items.every((s) => s.status === 'COMPLETED')).toBe(true);
      expect((await fetch(`${coordinator.url}/sagas?status=LOST`)).status).toBe(400);
    });

    it("compensates before the pivot on an operator's word: the step in flight is undone too, nothing stays held", async () => {
      // Payment answers slowly (within the step timeout): the saga waits at AuthorizePayment.
      await faults('payment', { latencyMs: 700 });
      try {
        const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 2, unitPriceCents: 100 }]);
        await expect.poll(async () => (await wb.effects(id)).reserved, { interval: 20, timeout: 10_000 }).toBe(2);
        const res = await act(id, 'compensate');
        expect(res.status, await res.clone().text()).toBe(200);
        expect(await res.json()).toMatchObject({ id, status: 'COMPENSATING' });
        await sagaEnds(id, 'REJECTED');
        expect((await saga(id)).reason).toBe('OPERATOR_COMPENSATED');
        // A late AuthorizePayment answered after its VoidPayment is refused or released on OrderRejected (ADR 0012).
        await expect
          .poll(() => wb.effects(id), { timeout: 10_000 })
          .toEqual({ order: 'REJECTED', reserved: 0, committed: 0, holds: 0, notifications: ['rejected'] });
        expect(await wb.violations([id])).toEqual([]);
      } finally {
        await faults('payment', { latencyMs: 0 });
      }
    });

    it('a compensation that keeps failing parks the saga; an operator retry through the API finishes it', async () => {
      await faults('payment', { latencyMs: 500 });
      const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
      await expect.poll(async () => (await wb.effects(id)).reserved, { interval: 20, timeout: 10_000 }).toBe(1);
      await faults('inventory', { failureRate: 1 });
      await faults('payment', { latencyMs: 0 });
      try {
        await sagaEnds(id, 'NEEDS_ATTENTION');
        await expect
          .poll(
            async () =>
              SagaPage.parse(await (await fetch(`${coordinator.url}/sagas?status=NEEDS_ATTENTION`)).json()).items.map(
                (s) => s.id,
              ),
            { timeout: 10_000 },
          )
          .toContain(id);
        expect((await act(id, 'resolve', { 'content-type': 'application/json' })).status).toBe(401);
      } finally {
        await faults('inventory', { failureRate: 0 });
      }
      const res = await act(id, 'retry');
      expect(res.status, await res.clone().text()).toBe(200);
      expect(((await res.json()) as { status: string }).status).not.toBe('NEEDS_ATTENTION');
      await sagaEnds(id, 'REJECTED');
      expect(await wb.effects(id)).toEqual({
        order: 'REJECTED',
        reserved: 0,
        committed: 0,
        holds: 0,
        notifications: ['rejected'],
      });
    });

    it('refuses what does not fit: 409 with the reason, 404 for no such saga', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 1, unitPriceCents: 100 }]);
      await sagaEnds(id, 'COMPLETED');
      for (const [action, why] of [
        ['compensate', /cannot compensate a saga that is COMPLETED/],
        ['resolve', /only a NEEDS_ATTENTION saga can be resolved; this one is COMPLETED/],
        ['retry', /cannot retry a saga that is COMPLETED/],
      ] as const) {
        const res = await act(id, action);
        expect(res.status, action).toBe(409);
        expect(((await res.json()) as { error: string }).error).toMatch(why);
        expect((await act(`no-such-${id}`, action)).status, action).toBe(404);
      }
      expect(await wb.effects(id)).toEqual({
        order: 'APPROVED',
        reserved: 0,
        committed: 1,
        holds: 1,
        notifications: ['confirmed'],
      });
    });
  },
);
